/** Typed decoders of the lease scripts' replies; each follows the Result line of its script's header. */
import { replyCode } from '../../store/lua-reply';

/** lease-hold-1.lua: 1 the caller holds the lease for the lease time from now | 0 another holder has it. */
export function holdReply(raw: unknown): boolean {
  return replyCode(raw, 'lease-hold-1.lua', [0, 1] as const) === 1;
}

/** lease-release-1.lua: 1 released | 0 the lease had expired or another holder had taken it. */
export function releaseReply(raw: unknown): boolean {
  return replyCode(raw, 'lease-release-1.lua', [0, 1] as const) === 1;
}
