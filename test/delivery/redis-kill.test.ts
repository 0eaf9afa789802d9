import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedRedis, startEmbeddedRedis } from '../../src/redis/embedded';
import { makeRequest } from '../support/documents';
import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, waitFor } from '../support/flow';
import { sign } from '../support/identities';

/** An acknowledged (202) request survives a SIGKILL of Redis: appendonly persistence, no data loss. */
describe('Redis killed with SIGKILL', () => {
  let redis: EmbeddedRedis;
  let t: TestGateway;
  const dir = mkdtempSync(join(tmpdir(), 'art50-kill-'));

  beforeAll(async () => {
    redis = await startEmbeddedRedis({ dataDir: dir });
    process.env.REDIS_URL_SAVED = process.env.REDIS_URL;
    process.env.REDIS_URL = redis.url;
    t = await startTestGateway({}, { workers: false });
  });
  afterAll(async () => {
    await t.stop();
    await redis.stop();
    process.env.REDIS_URL = process.env.REDIS_URL_SAVED;
  });

  it('keeps every request that was answered 202, and the gateway recovers', async () => {
    const docs = Array.from({ length: 20 }, () => makeRequest());
    for (const d of docs) expect((await t.as(INV).post('/v1/requests', sign(d, INV))).status).toBe(202);
    process.kill(redis.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const down = await t.as(INV).get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('http.not_ready');
    // Writes and reads while Redis is away: 503 with Retry-After, never a 500.
    const write = await t.as(INV).post('/v1/requests', sign(makeRequest(), INV));
    expect(write.status).toBe(503);
    expect(write.body.code).toBe('http.not_ready');
    expect(write.headers['retry-after']).toBeDefined();
    const read = await t.as(INV).get(`/v1/requests/${docs[0]!.requestId}`);
    expect(read.status).toBe(503);
    redis = await startEmbeddedRedis({ dataDir: dir, port: redis.port });
    await waitFor(async () => (await t.as(INV).get('/readyz')).status === 200, 'gateway to reconnect');
    for (const d of docs) {
      const s = await t.as(INV).get(`/v1/requests/${d.requestId}`);
      expect(s.status).toBe(200);
      expect(s.body.state).toBe('awaiting_sanction');
      expect(s.body.receipts).toHaveLength(1);
    }
  }, 30_000);
});
