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

it('listens on a socket only its user may open, which REDIS_URL=unix:/// reaches with the same commands', async () => {
  const redis = await startEmbeddedRedis({ dataDir: dir() });
  const { statSync } = await import('node:fs');
  const { createRedis, whenReady } = await import('../../src/redis/client');
  const { redisSettingsFromEnv } = await import('../../src/redis/settings');
  try {
    expect(redis.socketUrl).toBe(`unix://${join(redis.dataDir, 'redis.sock')}`);
    const path = join(redis.dataDir, 'redis.sock');
    expect(statSync(path).isSocket()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o700);
    const settings = redisSettingsFromEnv({ REDIS_URL: redis.socketUrl! }, (p) => p);
    const client = createRedis(settings.target!, 'commands');
    try {
      expect(await whenReady(client, 5000)).toBe(true);
      await client.set('embedded-socket', 'yes');
      expect(await client.get('embedded-socket')).toBe('yes');
      expect((await client.info('server')).match(/process_id:(\d+)/)?.[1]).toBe(String(redis.pid));
    } finally {
      client.disconnect();
    }
    expect(() => redisSettingsFromEnv({ REDIS_URL: 'unix://relative/redis.sock' }, (p) => p)).toThrow(/unix:\/\/\//);
  } finally {
    await redis.stop();
  }
}, 30_000);

it('started for `art50 serve` (socketOnly): no TCP listener at all, the socket URL is its URL', async () => {
  const redis = await startEmbeddedRedis({ dataDir: dir(), socketOnly: true });
  const { redisAt } = await import('../../src/redis/client');
  try {
    expect(redis.url).toBe(redis.socketUrl);
    expect(redis.port).toBe(0);
    const client = redisAt(redis.url);
    try {
      expect(await client.config('GET', 'port')).toEqual(['port', '0']);
      expect((await client.info('server')).match(/process_id:(\d+)/)?.[1]).toBe(String(redis.pid));
    } finally {
      client.disconnect();
    }
  } finally {
    await redis.stop();
  }
}, 30_000);

it('started socketOnly under a path too long for a socket: on a 127.0.0.1 port instead, and says so', async () => {
  const said: string[] = [];
  const deep = join(dir(), 'x'.repeat(60), 'y'.repeat(40));
  const redis = await startEmbeddedRedis({ dataDir: deep, socketOnly: true, log: (m) => said.push(m) });
  try {
    expect(redis.socketUrl).toBeUndefined();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(said.join('\n')).toMatch(/too long for a Unix socket.*127\.0\.0\.1/);
  } finally {
    await redis.stop();
  }
}, 30_000);
