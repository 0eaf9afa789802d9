import { rmSync } from 'node:fs';
import type { EmbeddedRedis } from '../../src/redis/embedded';

export default async function globalTeardown(): Promise<void> {
  const redis = (globalThis as { __art50Redis?: EmbeddedRedis }).__art50Redis;
  if (!redis) return;
  await redis.stop();
  rmSync(redis.dataDir, { recursive: true, force: true });
}
