import Redis from 'ioredis';
import { storeReceiptOnce } from '../../src/store/receipt-once';

/** First writer wins, and the replica fence runs before a receipt this call stored is handed out. */
describe('storeReceiptOnce', () => {
  let redis: Redis;
  const key = `receipt-once-test:${Date.now()}`;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    await redis.del(key);
    await redis.quit();
  });

  it('stores the first receipt; every call, the one that stored it and later ones, waits for the fence before handing it out', async () => {
    const order: string[] = [];
    const fence = async (): Promise<void> => {
      // What the fence waits for is already written when it runs.
      order.push(`fence after ${(await redis.hgetBuffer(key, 'receipt'))?.toString() ?? 'nothing'}`);
    };
    expect((await storeReceiptOnce(redis, fence, key, 'receipt', Buffer.from('first'))).toString()).toBe('first');
    expect((await storeReceiptOnce(redis, fence, key, 'receipt', Buffer.from('second'))).toString()).toBe('first');
    expect(order).toEqual(['fence after first', 'fence after first']);
  });

  it('a fence that fails (replicas did not confirm) fails the call, so the receipt is not handed out — also on the retry that finds it stored', async () => {
    const failing = (): Promise<void> => Promise.reject(new Error('replicas did not confirm'));
    await expect(storeReceiptOnce(redis, failing, key, 'other', Buffer.from('x'))).rejects.toThrow(/replicas/);
    expect((await redis.hgetBuffer(key, 'other'))?.toString()).toBe('x');
    await expect(storeReceiptOnce(redis, failing, key, 'other', Buffer.from('y'))).rejects.toThrow(/replicas/);
  });
});
