import { mkdtempSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startEmbeddedRedis } from '../../src/redis/embedded';

/** The embedded redis-server of `serve` and the demo, when its port is already taken. */
const dir = (): string => mkdtempSync(join(tmpdir(), 'art50-embedded-'));

it('a port held by a listener that never answers: start fails within its time limit instead of hanging', async () => {
  const port = await freePort();
  const silent: Server = createServer(() => undefined); // accepts, never writes
  await new Promise<void>((r) => silent.listen(port, '127.0.0.1', () => r()));
  try {
    const t0 = Date.now();
    await expect(startEmbeddedRedis({ dataDir: dir(), port })).rejects.toThrow(/redis-server/);
    expect(Date.now() - t0).toBeLessThan(15_000);
  } finally {
    silent.close();
  }
}, 30_000);

it('a port held by another redis-server: refused, not silently shared', async () => {
  const first = await startEmbeddedRedis({ dataDir: dir() });
  try {
    await expect(startEmbeddedRedis({ dataDir: dir(), port: first.port })).rejects.toThrow(/redis-server/);
  } finally {
    await first.stop();
  }
}, 30_000);
