import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { EmbeddedRedis, startEmbeddedRedis } from '../../src/redis/embedded';
import { makeRequest, makeSanction } from '../support/documents';
import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, PROS, sanctionedRequest, waitFor } from '../support/flow';
import { sign } from '../support/identities';
import { auditVerified, expectDeliveredOnce } from '../support/fault';

/**
 * Issues 15.4 and 15.5: redis-server SIGKILLed under load and kept away for several seconds.
 * Every call answers within 2 s — 503 http.not_ready with Retry-After, saying that a document may
 * have been recorded and that resending it is safe — and after the restart, resending what got a
 * 503 loses nothing and duplicates nothing.
 */
describe('a Redis outage under load', () => {
  let redis: EmbeddedRedis;
  let t: TestGateway;
  const dir = mkdtempSync(join(tmpdir(), 'art50-outage-'));
  const saved = process.env.REDIS_URL;

  beforeAll(async () => {
    redis = await startEmbeddedRedis({ dataDir: dir });
    process.env.REDIS_URL = redis.url;
    t = await startTestGateway({ ART50_STALLED_INTERVAL_MS: '500' });
  });
  afterAll(async () => {
    await t.stop();
    await redis.stop();
    process.env.REDIS_URL = saved;
  });

  it('answers every call within 2 s while Redis is away, and loses nothing', async () => {
    // Work to act on during the outage: requests awaiting a sanction, deliveries to acknowledge.
    const pending = [];
    for (let i = 0; i < 3; i++) {
      const doc = makeRequest({ banks: ['ALFAKZKA'] });
      const res = await t.as(INV).post('/v1/requests', sign(doc, INV));
      expect(res.status).toBe(202);
      pending.push({ doc, sanction: sign(makeSanction(doc, res.body.digest), PROS) });
    }
    const delivered = (await sanctionedRequest(t, { banks: ['ALFAKZKA'] })).doc;
    const deliveryId = `${String(delivered.requestId)}.ALFAKZKA`;
    await waitFor(async () => (await t.as('banks/ALFAKZKA').get('/v1/inbox')).body.items?.some((i: { deliveryId: string }) => i.deliveryId === deliveryId), 'the delivery');

    // Load: request + sanction pairs, two at a time, from before the kill until after the restart.
    type Pair = { doc: Record<string, unknown>; request: Buffer; sanction?: Buffer; requestStatus?: number; sanctionStatus?: number };
    const pairs: Pair[] = [];
    const slowest: number[] = [];
    let loading = true;
    const timed = async (call: () => PromiseLike<Response>): Promise<Response> => {
      const started = Date.now();
      const res = await call();
      slowest.push(Date.now() - started);
      return res;
    };
    const load = Promise.all(Array.from({ length: 2 }, async () => {
      while (loading) {
        const doc = makeRequest({ banks: ['ALFAKZKA', 'BETAKZKA'] });
        const p: Pair = { doc, request: sign(doc, INV) };
        pairs.push(p);
        const r = await timed(() => t.as(INV).post('/v1/requests', p.request));
        p.requestStatus = r.status;
        if (r.status !== 202) continue;
        p.sanction = sign(makeSanction(doc, r.body.digest), PROS);
        p.sanctionStatus = (await timed(() => t.as(PROS).post(`/v1/requests/${String(doc.requestId)}/sanction`, p.sanction!))).status;
      }
    }));
    await new Promise((r) => setTimeout(r, 1000));

    process.kill(redis.pid, 'SIGKILL');
    const outageStarted = Date.now();
    const probes: Array<{ what: string; res: Response; ms: number }> = [];
    const probe = async (what: string, call: () => PromiseLike<Response>): Promise<void> => {
      const started = Date.now();
      const res = await call();
      probes.push({ what, res, ms: Date.now() - started });
    };
    let i = 0;
    while (Date.now() - outageStarted < 6000) {
      const p = pending[i++ % pending.length]!;
      // One call after the other: the bound is the gateway's, not a CPU starved by our own burst.
      for (const [what, call] of [
        ['POST /v1/requests', () => t.as(INV).post('/v1/requests', sign(makeRequest(), INV))],
        ['POST sanction', () => t.as(PROS).post(`/v1/requests/${String(p.doc.requestId)}/sanction`, p.sanction)],
        ['GET request', () => t.as(INV).get(`/v1/requests/${String(delivered.requestId)}`)],
        ['GET inbox', () => t.as('banks/ALFAKZKA').get('/v1/inbox')],
        ['POST ack', () => t.as('banks/ALFAKZKA').post(`/v1/inbox/${deliveryId}/ack`)],
        ['GET checkpoint', () => t.as('auditor/auditor-1').get('/v1/log/checkpoint')],
        ['GET pending', () => t.as(PROS).get('/v1/sanctions/pending')],
        ['GET readyz', () => t.as(INV).get('/readyz')],
      ] as Array<[string, () => PromiseLike<Response>]>) await probe(what, call);
    }
    // Every probe, the first ones sent right after the kill included.
    for (const { what, res, ms } of probes) {
      expect({ what, ms: ms <= 2000 }).toEqual({ what, ms: true });
      expect({ what, status: res.status }).toEqual({ what, status: 503 });
      expect(res.body.code).toBe('http.not_ready');
      expect(res.headers['retry-after']).toBeDefined();
    }
    const write = probes.find((p) => p.what === 'POST /v1/requests')!;
    expect(write.res.body.detail).toMatch(/may or may not have been recorded; resending the same document is safe/);

    redis = await startEmbeddedRedis({ dataDir: dir, port: redis.port });
    await waitFor(async () => (await t.as(INV).get('/readyz')).status === 200, 'the gateway to reconnect', 15_000);
    await new Promise((r) => setTimeout(r, 500));
    loading = false;
    await load;
    // Calls in flight when Redis died, and those of the load during the outage, answered in time too.
    expect(Math.max(...slowest)).toBeLessThanOrEqual(2000);
    expect(pairs.some((p) => p.requestStatus === 503)).toBe(true);

    // Resending what got a 503 is safe: a recorded document is a replay, the rest is recorded now.
    for (const p of pairs) {
      if (p.requestStatus !== 202) {
        const r = await t.as(INV).post('/v1/requests', p.request);
        expect([200, 202]).toContain(r.status);
        p.sanction = sign(makeSanction(p.doc, r.body.digest), PROS);
      }
      if (p.sanctionStatus !== 201) {
        const s = await t.as(PROS).post(`/v1/requests/${String(p.doc.requestId)}/sanction`, p.sanction!);
        expect([200, 201]).toContain(s.status);
      }
    }
    for (const p of pending) expect([200, 201]).toContain((await t.as(PROS).post(`/v1/requests/${String(p.doc.requestId)}/sanction`, p.sanction)).status);

    // Nothing acknowledged is lost; every delivery ends delivered exactly once.
    const all = [...pairs.map((p) => ({ id: String(p.doc.requestId), banks: ['ALFAKZKA', 'BETAKZKA'] })), ...pending.map((p) => ({ id: String(p.doc.requestId), banks: ['ALFAKZKA'] }))];
    for (const r of all) {
      await waitFor(async () => {
        const s = await t.as(INV).get(`/v1/requests/${r.id}`);
        return s.status === 200 && s.body.banks.length === r.banks.length && s.body.banks.every((b: { state: string }) => b.state === 'delivered');
      }, `request ${r.id} delivered`, 30_000);
    }
    await expectDeliveredOnce(t, all.flatMap((r) => r.banks.map((bic) => ({ requestId: r.id, bic }))), redis.url);
    expect((await auditVerified(t, { redisUrl: redis.url })).ok).toBe(true);
  }, 120_000);
});
