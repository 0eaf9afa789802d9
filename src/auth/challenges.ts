import { createHash, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { Keys } from '../store/keys';

/** A sign-in challenge as handed to the browser: the string to sign and when it stops being accepted. */
export interface Challenge {
  challenge: string;
  expiresAt: string;
}

/** Base64 of 32 random bytes: the only shape a challenge ever has. */
export const CHALLENGE_RE = /^[A-Za-z0-9+/]{43}=$/;

/**
 * One-time sign-in nonces in Redis. A challenge is stored under its hash (a key dump does not hand
 * out live challenges) with a TTL; using it deletes it, so a signed challenge logs in at most once.
 */
export class ChallengeStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly ttlMs: number,
    private readonly clock: () => Date,
  ) {}

  async issue(): Promise<Challenge> {
    const challenge = randomBytes(32).toString('base64');
    await this.redis.set(this.keyOf(challenge), '1', 'PX', this.ttlMs);
    return { challenge, expiresAt: new Date(this.clock().getTime() + this.ttlMs).toISOString() };
  }

  /** True once per issued, unexpired challenge; false for unknown, expired or already used ones. */
  async consume(challenge: string): Promise<boolean> {
    if (!CHALLENGE_RE.test(challenge)) return false;
    return (await this.redis.del(this.keyOf(challenge))) === 1;
  }

  private keyOf(challenge: string): string {
    return this.keys.authChallenge(createHash('sha256').update(challenge).digest('hex'));
  }
}
