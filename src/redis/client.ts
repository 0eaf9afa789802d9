import Redis, { RedisOptions } from 'ioredis';

/**
 * Redis connections. Commands of the API fail fast when Redis is down (the client gets a 503, nothing
 * half-written); BullMQ workers need `maxRetriesPerRequest: null` and get their own connection.
 */
export function createRedis(url: string, purpose: 'commands' | 'bullmq', extra: RedisOptions = {}): Redis {
  const base: RedisOptions =
    purpose === 'bullmq'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5000, commandTimeout: 10_000, enableAutoPipelining: true };
  const redis = new Redis(url, { lazyConnect: false, ...base, ...extra });
  // Without a listener ioredis prints every reconnect failure as "Unhandled error event";
  // readiness (/readyz) and command errors already report an unreachable Redis.
  redis.on('error', () => undefined);
  return redis;
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
