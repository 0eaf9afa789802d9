import Redis, { RedisOptions } from 'ioredis';
import { connectionOptions, RedisTarget, socketPathOf } from './target';
import { batchWrites } from './write-batching';

/**
 * Redis connections. Commands fail at once while Redis is unreachable (no offline queue): an API
 * call answers 503 at once instead of waiting for the reconnection, and a worker's job fails and
 * is retried later. BullMQ needs `maxRetriesPerRequest: null` and gets its own connection.
 * With Sentinels every connection asks them for the primary at each (re)connection, so all of
 * them follow a failover.
 */
export function createRedis(target: RedisTarget, purpose: 'commands' | 'bullmq', extra: RedisOptions = {}): Redis {
  const base: RedisOptions =
    purpose === 'bullmq'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      // No auto-pipelining: a request's commands follow one another (each awaits the last), so its
      // batches held one or two commands and cost more CPU than the writes they saved (issue 19).
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, commandTimeout: 10_000 };
  // A primary demoted by a failover answers writes with READONLY: reconnect, which asks the
  // Sentinels for the new one (BullMQ's commands are resent there; ours fail into a 503).
  const readonly = (e: Error): 1 | 2 | false => (e.message.startsWith('READONLY') ? (purpose === 'bullmq' ? 2 : 1) : false);
  const options: RedisOptions = { lazyConnect: false, reconnectOnError: readonly, ...connectionOptions(target), ...base, ...extra };
  const redis = target.kind === 'server' ? redisAt(target.url, options) : new Redis(options);
  // Without a listener ioredis prints every reconnect failure as "Unhandled error event";
  // readiness (/readyz) and command errors already report an unreachable Redis.
  redis.on('error', () => undefined);
  batchWrites(redis);
  return redis;
}

/** A plain connection to a REDIS_URL, unix:/// socket URLs included (ioredis reads only redis:// URLs). */
export function redisAt(url: string, options: RedisOptions = {}): Redis {
  const path = socketPathOf(url);
  return path !== undefined ? new Redis({ ...options, path }) : new Redis(url, options);
}

/** Resolves when the connection is ready, or after `ms` (false) — a gateway also starts while Redis is down. */
export function whenReady(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => {
      redis.off('ready', ready);
      done(false);
    }, ms);
    const ready = (): void => {
      clearTimeout(timer);
      done(true);
    };
    redis.once('ready', ready);
  });
}

export async function pingWithin(redis: Redis, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, fail) => {
        timer = setTimeout(() => fail(new Error('redis ping timeout')), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
