import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedRedis } from '../../src/redis/embedded';

/** One real redis-server per test run (temporary dir, random port); tests isolate by namespace. */
export default async function globalSetup(): Promise<void> {
  // The CLI never falls back to the demo trust silently: the suite configures it like a profile would.
  const keys = join(__dirname, '..', '..', 'keys.example');
  process.env.ART50_TRUST ??= join(keys, 'ca', 'root.pem');
  process.env.ART50_CRL ??= join(keys, 'ca', 'crl.pem');
  process.env.ART50_REGISTRY ??= join(keys, 'participants.json');
  if (process.env.REDIS_URL) return;
  const dir = mkdtempSync(join(tmpdir(), 'art50-test-redis-'));
  const redis = await startEmbeddedRedis({ dataDir: dir });
  process.env.REDIS_URL = redis.url;
  process.env.ART50_TEST_REDIS_DIR = dir;
  (globalThis as { __art50Redis?: typeof redis }).__art50Redis = redis;
}
