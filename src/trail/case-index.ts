import type Redis from 'ioredis';
import type { Keys } from '../store/keys';

/**
 * SET `{ns}:case:<erdrNumber>` of the requestIds filed under an ERDR number, for the money trail
 * of a case. Written right after the intake script stored (or replayed) the request: SADD is
 * idempotent, and a client that lost the answer resubmits the same request, which adds it again.
 * (The request state itself is the intake script's; this index is derived from it.)
 */
export class CaseIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private key(erdrNumber: string): string {
    return `${this.keys.tag}:case:${erdrNumber}`;
  }

  async add(erdrNumber: string, requestId: string): Promise<void> {
    await this.redis.sadd(this.key(erdrNumber), requestId);
  }

  async requests(erdrNumber: string): Promise<string[]> {
    return this.redis.smembers(this.key(erdrNumber));
  }
}
