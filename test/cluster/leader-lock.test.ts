import Redis from 'ioredis';
import { LeaderRunner, RedisLease } from '../../src/cluster/leader-lock';
import { holdReply, releaseReply } from '../../src/cluster/lua/replies';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the single-writer lease', () => {
  const redis = new Redis(process.env.REDIS_URL!);
  const key = `{lease${Date.now()}}:lease:integrator`;
  afterAll(() => redis.quit());

  it('has one holder; a holder that stops renewing loses it after the TTL; only the holder releases', async () => {
    const a = new RedisLease(redis, { key, ttlMs: 300 });
    const b = new RedisLease(redis, { key, ttlMs: 300 });
    expect(await a.hold()).toBe(true);
    expect(await b.hold()).toBe(false);
    expect(await a.hold()).toBe(true); // renewal
    expect(await b.release()).toBe(false);
    expect(await redis.get(key)).toBe(a.token);
    await sleep(400); // a died without releasing
    expect(await b.hold()).toBe(true);
    expect(await a.hold()).toBe(false);
    expect(await b.release()).toBe(true);
    expect(await a.hold()).toBe(true);
    expect(await a.release()).toBe(true);
  });

  it('runs the task in one runner at a time and hands it over when the leader stops', async () => {
    const k = `${key}:run`;
    const running: string[] = [];
    const task = (name: string) => ({ start: () => void running.push(name), stop: async () => void running.splice(running.indexOf(name), 1) });
    const one = new LeaderRunner(new RedisLease(redis, { key: k, ttlMs: 600 }), task('one'));
    const two = new LeaderRunner(new RedisLease(redis, { key: k, ttlMs: 600 }), task('two'));
    one.start();
    await sleep(100);
    two.start();
    await sleep(500);
    expect(running).toEqual(['one']);
    expect(one.isLeader()).toBe(true);
    expect(two.isLeader()).toBe(false);
    await one.stop(); // releases: two need not wait for the TTL
    const t0 = Date.now();
    while (!two.isLeader() && Date.now() - t0 < 2000) await sleep(20);
    expect(running).toEqual(['two']);
    await two.stop();
    expect(running).toEqual([]);
    expect(await redis.exists(k)).toBe(0);
  });
});

describe('the lease scripts\' reply decoders', () => {
  it('read 1 and 0 as the scripts document them and refuse anything else, naming the script', () => {
    expect(holdReply(1)).toBe(true);
    expect(holdReply(0)).toBe(false);
    expect(releaseReply(1)).toBe(true);
    expect(releaseReply('0')).toBe(false);
    expect(() => holdReply(2)).toThrow('lease-hold-1.lua: unknown status code 2');
    expect(() => releaseReply(null)).toThrow(/^lease-release-1\.lua: status code is not an integer/);
  });
});
