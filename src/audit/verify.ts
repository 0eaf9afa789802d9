/**
 * `art50 audit verify` without commander: read a LogSource, verify every checkpoint's signature
 * (gateway seal, path to the trust root, gateway in the registry), recompute the tree with
 * auditLog and report the first divergence exactly.
 */
import { availableParallelism } from 'node:os';
import { checkEntriesInParallel } from '../log/audit-parallel';
import { isArt50Error } from '../errors';
import { CheckpointBody, cmsCheckpointVerifier, parseCheckpointBody, VerifyCheckpoint } from '../log/checkpoint';
import { auditLog, AuditDivergence, AuditProgress } from '../log/audit';
import { verifyCms } from '../cms/verify';
import { claimedTreeSize } from './files';
import type { LogSource } from './source';
import type { GatewayTrust } from './trust';

/** The --save / --since file. */
export interface SavedCheckpoint {
  /** base64 DER CMS. */
  checkpoint: string;
  treeSize: number;
  /** base64, as in the checkpoint body. */
  rootHash: string;
}

export type VerifyReason = AuditDivergence['reason'] | 'checkpoint_signature' | 'no_checkpoint' | 'bad_saved_checkpoint';

export interface VerifyDivergence extends Omit<AuditDivergence, 'reason'> {
  reason: VerifyReason;
}

export interface VerifyReport {
  ok: boolean;
  source: string;
  entries: number;
  /** Hex root of the entries read. */
  root: string;
  checkpoints: number;
  checkpointsVerified: number;
  /** The largest signed checkpoint that matched: what --save writes. */
  latest?: CheckpointBody;
  latestSigned?: Buffer;
  divergence?: VerifyDivergence;
  seconds: number;
}

export interface VerifyLogOptions {
  source: LogSource;
  trust: GatewayTrust;
  /** Expected checkpoint origin; default the saved checkpoint's, else the first checkpoint's. */
  origin?: string;
  saved?: SavedCheckpoint;
  onProgress?: (p: AuditProgress) => void;
  onPage?: (read: number, total: number | undefined) => void;
  /** Worker threads for the per-entry checks; 0 checks in this thread. Default: one per CPU. */
  workers?: number;
}

/** CMS + path + "signer is the gateway" + body shape + origin; errors name the claimed tree size. */
export function gatewayCheckpointVerifier(trust: GatewayTrust, origin?: string): VerifyCheckpoint {
  const inner = cmsCheckpointVerifier({ trustSigner: (signer, chain) => void trust.check(signer, chain), ...(origin !== undefined ? { origin } : {}) });
  return (signed) => inner(signed);
}

function claimedOrigin(signed: Buffer): string | undefined {
  try {
    return parseCheckpointBody(verifyCms(signed).content).origin;
  } catch {
    return undefined;
  }
}

export async function verifyLog(opts: VerifyLogOptions): Promise<VerifyReport> {
  const t0 = Date.now();
  const base = { source: opts.source.name, entries: 0, root: '', checkpoints: 0, checkpointsVerified: 0 };
  const fail = (d: VerifyDivergence, extra: Partial<VerifyReport> = {}): VerifyReport => ({ ok: false, ...base, ...extra, divergence: d, seconds: (Date.now() - t0) / 1000 });

  let saved: Buffer | undefined;
  if (opts.saved) {
    saved = Buffer.from(opts.saved.checkpoint, 'base64');
    const claimed = claimedTreeSize(saved);
    if (claimed !== opts.saved.treeSize) {
      return fail({ index: Math.max(0, opts.saved.treeSize - 1), reason: 'bad_saved_checkpoint', detail: `the saved file says tree size ${opts.saved.treeSize} but its checkpoint says ${String(claimed)}` });
    }
  }
  // Checkpoints first: every one of them is then at or below the end of the entries read next.
  const cps = await opts.source.checkpoints();
  base.checkpoints = cps.length;
  const origin = opts.origin ?? (saved ? claimedOrigin(saved) : undefined) ?? (cps[0] ? claimedOrigin(cps[0]) : undefined);
  const verifier = gatewayCheckpointVerifier(opts.trust, origin);
  // Verify each signature here (not inside auditLog) so a refusal names the checkpoint.
  for (const [i, c] of [...cps, ...(saved ? [saved] : [])].entries()) {
    try {
      await verifier(c);
    } catch (e) {
      if (!isArt50Error(e)) throw e;
      const size = claimedTreeSize(c);
      const what = i >= cps.length ? 'the saved checkpoint' : `the checkpoint ${size === undefined ? '(unreadable)' : `of tree size ${size}`}`;
      return fail({ index: Math.max(0, (size ?? 1) - 1), reason: 'checkpoint_signature', detail: `${what} is refused: ${e.detail}`, ...(size !== undefined ? { treeSize: size } : {}) });
    }
  }
  if (cps.length === 0) return fail({ index: 0, reason: 'no_checkpoint', detail: 'the log has no signed checkpoint: nothing commits to its entries' });

  const signedBySize = new Map<number, Buffer>();
  for (const c of cps) signedBySize.set(claimedTreeSize(c)!, c);
  const r = await auditLog({
    entries: opts.source.entries(opts.onPage),
    checkpoints: cps,
    ...(saved ? { saved } : {}),
    verifyCheckpoint: verifier,
    ...(opts.source.prove ? { prove: opts.source.prove } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    // JSON, schema, canonical form and leaf hashes on worker threads; the tree is folded here.
    ...(opts.workers !== 0 ? { checked: (entries) => checkEntriesInParallel(entries, { workers: opts.workers ?? Math.max(1, availableParallelism()) }) } : {}),
  });
  const out: VerifyReport = {
    ok: r.ok,
    ...base,
    entries: r.entries,
    root: r.root,
    checkpointsVerified: r.checkpointsVerified,
    seconds: (Date.now() - t0) / 1000,
  };
  if (r.lastVerified) {
    out.latest = r.lastVerified;
    const s = signedBySize.get(r.lastVerified.treeSize);
    if (s) out.latestSigned = s;
  }
  if (r.divergence) out.divergence = r.divergence;
  return out;
}

export function savedCheckpointOf(signed: Buffer, body: CheckpointBody): SavedCheckpoint {
  return { checkpoint: signed.toString('base64'), treeSize: body.treeSize, rootHash: body.rootHash };
}

/** One line for a person. */
export function describeVerify(r: VerifyReport): string {
  if (r.ok) {
    return `log verified: ${r.entries} entries, root ${r.root}, ${r.checkpointsVerified} checkpoints` +
      (r.latest ? ` (latest signed: tree size ${r.latest.treeSize} at ${r.latest.time})` : '');
  }
  const d = r.divergence!;
  const where = d.lastIndex !== undefined && d.lastIndex !== d.index ? `entries ${d.index}..${d.lastIndex}` : `entry ${d.index}`;
  return `log NOT verified: first divergence at ${where}: ${d.reason}: ${d.detail}` +
    ` (${r.entries} entries read, ${r.checkpointsVerified} of ${r.checkpoints} checkpoints matched)`;
}
