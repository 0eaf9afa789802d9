import type Redis from 'ioredis';
import { Art50Error } from '../errors';
import type { Logger } from '../logger';

/** `strict` refuses to start on a Redis that may lose acknowledged writes; `warn` only says so. */
export type DurabilityPolicy = 'strict' | 'warn';

export type DurabilityVerdict = { durable: true } | { durable: false; reason: string } | { durable: 'unknown'; reason: string };

/**
 * The gateway hands out receipts naming log indexes and signs checkpoints over the log as soon as
 * Redis acknowledges a write. That is only honest if the write is on disk: with
 * `appendfsync everysec` a power loss drops up to a second or two of acknowledged writes, their
 * log indexes are reused by later entries, and receipts and checkpoints already handed out stop
 * matching the log. With `appendfsync always` Redis fsyncs the AOF before it sends any reply, so
 * everything a client (the integrator included) has seen is durable.
 */
export async function redisDurability(redis: Redis): Promise<DurabilityVerdict> {
  let cfg: string[];
  try {
    cfg = (await redis.call('CONFIG', 'GET', 'append*')) as string[];
  } catch (e) {
    return { durable: 'unknown', reason: `CONFIG GET is not available (${(e as Error).message})` };
  }
  const get = (name: string): string | undefined => {
    const i = cfg.indexOf(name);
    return i >= 0 && i % 2 === 0 ? cfg[i + 1] : undefined;
  };
  const appendonly = get('appendonly');
  const appendfsync = get('appendfsync');
  if (appendonly === 'yes' && appendfsync === 'always') return { durable: true };
  return { durable: false, reason: `Redis runs with appendonly=${appendonly ?? '?'} appendfsync=${appendfsync ?? '?'}` };
}

/** The start-up check: throws config.invalid (strict) or logs a warning. */
export async function checkRedisDurability(redis: Redis, policy: DurabilityPolicy, logger: Logger): Promise<DurabilityVerdict> {
  const v = await redisDurability(redis);
  if (v.durable === true) return v;
  const consequence =
    'a power loss or kernel crash can drop writes the gateway already acknowledged; receipts handed out would then name log indexes that other entries reuse';
  if (v.durable === 'unknown') {
    logger.warn(`cannot check Redis persistence: ${v.reason}. Make sure it runs with --appendonly yes --appendfsync always: otherwise ${consequence}`);
    return v;
  }
  const fix = 'Run Redis with --appendonly yes --appendfsync always (or set ART50_REDIS_DURABILITY=warn to accept the risk)';
  if (policy === 'strict') throw new Art50Error('config.invalid', `${v.reason}: ${consequence}. ${fix}`, { field: 'REDIS_URL' });
  logger.warn(`NOT DURABLE: ${v.reason}: ${consequence}. ${fix}`);
  return v;
}
