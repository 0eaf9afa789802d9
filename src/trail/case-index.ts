import type Redis from 'ioredis';
import type { Keys } from '../store/keys';

/**
 * Reads SET `{ns}:case:<erdrNumber>` of the requestIds filed under an ERDR number, for the money
 * trail of a case. The intake script (src/requests/lua/intake-6.lua) writes it atomically with the
 * request, so a stored request is always in its case; this module only reads it.
 */
export class CaseIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async requests(erdrNumber: string): Promise<string[]> {
    return this.redis.smembers(this.keys.caseRequests(erdrNumber));
  }
}
