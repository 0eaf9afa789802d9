import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedRedis } from '../../src/redis/embedded';

/** One real redis-server per test run (temporary dir, random port); tests isolate by namespace. */
export default async function globalSetup(): Promise<void> {
  if (process.env.REDIS_URL) return;
  const dir = mkdtempSync(join(tmpdir(), 'art50-test-redis-'));
  const redis = await startEmbeddedRedis({ dataDir: dir });
  process.env.REDIS_URL = redis.url;
  process.env.ART50_TEST_REDIS_DIR = dir;
  (globalThis as { __art50Redis?: typeof redis }).__art50Redis = redis;
}
