import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EmbeddedRedis, startEmbeddedRedis } from '../../src/redis/embedded';

const BIN = resolve(__dirname, '..', '..', 'bin', 'art50.js');

/** Issue 22.5: `art50 serve` ends soon after SIGTERM even when Redis has gone away. */
describe('art50 serve with Redis gone', () => {
  let redis: EmbeddedRedis;
  const dir = mkdtempSync(join(tmpdir(), 'art50-sigterm-'));
  beforeAll(async () => {
    redis = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits within a few seconds of SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, REDIS_URL: redis.url, ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_DATA_DIR: dir, ART50_NAMESPACE: 'sigterm', ART50_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let out = '';
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve did not start: ${out}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('art50 gateway listening')) {
          clearTimeout(timer);
          ready();
        }
      });
    });
    process.kill(redis.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    expect(Date.now() - started).toBeLessThan(8000);
    expect(code).toBe(0);
  }, 40_000);
});
