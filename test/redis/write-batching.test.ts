import type { Writable } from 'node:stream';
import Redis from 'ioredis';
import { createRedis, whenReady } from '../../src/redis/client';
import { serverTarget } from '../../src/redis/target';

/**
 * The commands connection sends what one turn of the event loop wrote in one writev(2)
 * (src/redis/write-batching.ts): counted here on the socket's own write paths, which Node calls
 * once per system call.
 */

type Counted = Writable & { _write: (...a: unknown[]) => void; _writev: (chunks: unknown[], cb: unknown) => void };

function countWrites(redis: Redis): { calls: number[] } {
  const stream = redis.stream as Counted;
  const seen = { calls: [] as number[] };
  const write = stream._write.bind(stream);
  const writev = stream._writev.bind(stream);
  stream._write = (...a: unknown[]) => {
    seen.calls.push(1);
    write(...a);
  };
  stream._writev = (chunks: unknown[], cb: unknown) => {
    seen.calls.push(chunks.length);
    writev(chunks, cb);
  };
  return seen;
}

describe('write batching on the commands connection', () => {
  let redis: Redis;
  let admin: Redis;
  const ns = `wb-${process.pid}`;
  beforeAll(async () => {
    redis = createRedis(serverTarget(process.env.REDIS_URL!), 'commands');
    admin = new Redis(process.env.REDIS_URL!);
    expect(await whenReady(redis, 5000)).toBe(true);
  });
  afterAll(async () => {
    await admin.del(...Array.from({ length: 20 }, (_, i) => `${ns}:${i}`));
    redis.disconnect();
    await admin.quit();
  });

  it('sends the commands of one turn in one system call, in order, and those of a later turn at once', async () => {
    const seen = countWrites(redis);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => redis.set(`${ns}:${i}`, String(i)).then(() => redis.get(`${ns}:${i}`))));
    expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    // 20 SETs in one turn, then the 20 GETs written as their replies came in (one or a few turns).
    expect(seen.calls[0]).toBe(20);
    expect(seen.calls.reduce((a, b) => a + b, 0)).toBe(40);
    expect(seen.calls.length).toBeLessThan(40);
    // A command on its own, after an idle turn, is not held back.
    await new Promise((r) => setTimeout(r, 20));
    const before = seen.calls.length;
    expect(await redis.get(`${ns}:3`)).toBe('3');
    expect(seen.calls.slice(before)).toEqual([1]);
  });

  it('batches on the new socket after a reconnection', async () => {
    const id = await redis.client('ID');
    await admin.client('KILL', 'ID', String(id));
    await new Promise((r) => setTimeout(r, 100));
    expect(await whenReady(redis, 5000)).toBe(true);
    expect(await redis.client('ID')).not.toBe(id);
    const seen = countWrites(redis);
    await Promise.all(Array.from({ length: 5 }, (_, i) => redis.get(`${ns}:${i}`)));
    expect(seen.calls).toEqual([5]);
  });
});
