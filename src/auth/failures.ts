import type Redis from 'ioredis';
import type { Keys } from '../store/keys';

export interface FailureLimits {
  /** Failed logins allowed per window from one address, and for one certificate. */
  perAddress: number;
  perCertificate: number;
  windowMs: number;
}

/**
 * Counts failed sign-ins per client address and per certificate in fixed windows. A guessing
 * client is slowed down, and so is anyone replaying one stolen certificate from many addresses.
 */
export class LoginFailures {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    readonly limits: FailureLimits,
  ) {}

  /** Seconds until `address` (and `fingerprint`, when known) may try again; 0 when allowed now. */
  async blockedFor(address: string, fingerprint?: string): Promise<number> {
    const checks: Array<[string, number]> = [[this.keys.authFailures('addr', address), this.limits.perAddress]];
    if (fingerprint) checks.push([this.keys.authFailures('cert', fingerprint), this.limits.perCertificate]);
    const p = this.redis.pipeline();
    for (const [k] of checks) p.get(k).pttl(k);
    const out = (await p.exec()) ?? [];
    let wait = 0;
    checks.forEach(([, limit], i) => {
      const count = Number(out[2 * i]?.[1] ?? 0);
      const ttl = Number(out[2 * i + 1]?.[1] ?? -1);
      if (count >= limit) wait = Math.max(wait, Math.ceil(Math.max(ttl, 1000) / 1000));
    });
    return wait;
  }

  async record(address: string, fingerprint?: string): Promise<void> {
    const p = this.redis.pipeline();
    for (const k of [this.keys.authFailures('addr', address), ...(fingerprint ? [this.keys.authFailures('cert', fingerprint)] : [])]) {
      p.incr(k).pexpire(k, this.limits.windowMs, 'NX');
    }
    await p.exec();
  }
}
