import { createHash } from 'node:crypto';
import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, sanctionedRequest, waitFor } from '../support/flow';
import { sign } from '../support/identities';
import { delivered, makeStatement, refusal } from '../statements/helpers';

/** Independent RFC 9162 code (not the module under test): MTH and proof verification. */
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaf = (b: Buffer) => sha(Buffer.from([0]), b);
const node = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaf(leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return node(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
/** RFC 9162 §2.1.3.2 verification. */
function rootFromInclusion(index: number, size: number, leafHash: Buffer, path: Buffer[]): Buffer {
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) throw new Error('proof too long');
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1; }
    } else {
      r = node(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return r;
}

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ ART50_CHECKPOINT_INTERVAL_MS: '50' });
});
afterAll(async () => {
  await t.stop();
});

const AUD = 'auditor/auditor-1';

describe('the transparency log over HTTP', () => {
  it('records a full path in order, with proofs an independent implementation verifies', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const id = `${doc.requestId}.ALFAKZKA`;
    await waitFor(async () => (await t.as('banks/ALFAKZKA').post(`/v1/inbox/${id}/ack`)).status === 200, 'delivery and ack');
    const cp = await waitFor(async () => {
      const r = await t.as(AUD).get('/v1/log/checkpoint');
      return r.status === 200 && r.body.treeSize >= 5 ? r.body : undefined;
    }, 'a checkpoint covering the path');
    const size: number = cp.treeSize;
    const raw: string[] = [];
    for (let start = 0; start < size; ) {
      const page = await t.as(AUD).get(`/v1/log/entries?start=${start}&end=${size}`);
      expect(page.status).toBe(200);
      raw.push(...page.body.entries);
      start = page.body.end;
    }
    const entries = raw.map((e) => JSON.parse(e) as { index: number; event: string; requestId?: string; digests?: { request?: string } });
    entries.forEach((e, i) => expect(e.index).toBe(i));
    const mine = entries.filter((e) => e.requestId === doc.requestId);
    expect(mine.map((e) => e.event)).toEqual(['request.received', 'sanction.granted', 'delivery.queued', 'delivery.delivered', 'delivery.acknowledged']);
    expect(mine[0]!.digests?.request).toBe(digest);
    expect(JSON.stringify(entries)).not.toContain(String((doc.subject as { iin: string }).iin));

    const leaves = raw.map((e) => Buffer.from(e, 'utf8'));
    expect(mth(leaves).toString('base64')).toBe(cp.rootHash);
    for (const i of [0, mine[0]!.index, size - 1]) {
      const p = await t.as(AUD).get(`/v1/log/proofs/inclusion?index=${i}&treeSize=${size}`);
      expect(p.status).toBe(200);
      expect(rootFromInclusion(i, size, leaf(leaves[i]!), p.body.path.map((h: string) => Buffer.from(h, 'base64'))).toString('base64')).toBe(cp.rootHash);
    }
    const c = await t.as(AUD).get(`/v1/log/proofs/consistency?first=2&second=${size}`);
    expect(c.status).toBe(200);
    expect(c.body.path.length).toBeGreaterThan(0);
  });

  it('is for auditors; a party gets the inclusion proof of its own entries only', async () => {
    expect((await t.as(INV).get('/v1/log/entries?start=0&end=1')).status).toBe(403);
    const { doc } = await sanctionedRequest(t, { banks: ['BETAKZKA'] });
    const cp = await waitFor(async () => {
      const r = await t.as(AUD).get('/v1/log/checkpoint');
      return r.status === 200 ? r.body : undefined;
    }, 'checkpoint');
    const status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    const idx = status.body.receipts[0].logIndex;
    // request.received, sanction.granted, delivery.queued: all three in the signed tree.
    await waitFor(async () => (await t.as(AUD).get('/v1/log/checkpoint')).body.treeSize > idx + 2, 'integration');
    const size = (await t.as(AUD).get('/v1/log/checkpoint')).body.treeSize;
    expect((await t.as(INV).get(`/v1/log/proofs/inclusion?index=${idx}&treeSize=${size}`)).status).toBe(200);
    expect((await t.as('police/investigator-2').get(`/v1/log/proofs/inclusion?index=${idx}&treeSize=${size}`)).status).toBe(404);
    // A bank: its own delivery entries only.
    const raw: string[] = (await t.as(AUD).get(`/v1/log/entries?start=0&end=${size}`)).body.entries;
    const queued = raw.map((e) => JSON.parse(e) as { index: number; event: string; requestId?: string; bank?: string })
      .find((e) => e.event === 'delivery.queued' && e.requestId === doc.requestId && e.bank === 'BETAKZKA');
    expect(queued).toBeDefined();
    {
      expect((await t.as('banks/BETAKZKA').get(`/v1/log/proofs/inclusion?index=${queued!.index}&treeSize=${size}`)).status).toBe(200);
      expect((await t.as('banks/ALFAKZKA').get(`/v1/log/proofs/inclusion?index=${queued!.index}&treeSize=${size}`)).status).toBe(404);
      expect((await t.as('banks/BETAKZKA').get(`/v1/log/proofs/inclusion?index=${idx}&treeSize=${size}`)).status).toBe(404);
    }
    expect(cp.treeSize).toBeGreaterThan(0);
  });

  it('refuses bad ranges with a clear code', async () => {
    const r = await t.as(AUD).get('/v1/log/entries?start=999999&end=1000000');
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('log.bad_range');
    const q = await t.as(AUD).get('/v1/log/entries?start=abc');
    expect(q.status).toBe(400);
    expect(q.body.field).toBe('start');
  });

  it('counts a bank\'s refusal apart from its answers, records each statement\'s result in the log, and shows it per bank in the status', async () => {
    const a = await sanctionedRequest(t, { banks: ['BETAKZKA'] });
    const b = await sanctionedRequest(t, { banks: ['BETAKZKA'] });
    await delivered(t, 'BETAKZKA', a.doc.requestId);
    await delivered(t, 'BETAKZKA', b.doc.requestId);
    const before = (await t.as(AUD).get('/v1/stats')).body.byBank?.BETAKZKA ?? { answered: 0, refusedStatements: 0, notFound: 0 };
    expect((await t.as('banks/BETAKZKA').post('/v1/statements', sign(refusal(a.doc, a.digest, 'BETAKZKA'), 'banks/BETAKZKA'))).status).toBe(201);
    expect((await t.as('banks/BETAKZKA').post('/v1/statements', sign(makeStatement(b.doc, b.digest, 'BETAKZKA', {}, []), 'banks/BETAKZKA'))).status).toBe(201);
    const s = await waitFor(async () => {
      const r = (await t.as(AUD).get('/v1/stats')).body.byBank?.BETAKZKA;
      return r && r.answered >= before.answered + 2 ? r : undefined;
    }, 'both statements in the statistics');
    expect(s.refusedStatements).toBe(before.refusedStatements + 1);
    expect(s.notFound).toBe(before.notFound + 1);
    const st = await t.as(INV).get(`/v1/requests/${a.doc.requestId}`);
    expect(st.body.banks[0]).toMatchObject({ bic: 'BETAKZKA', state: 'refused_by_bank', result: 'refused' });
    expect((await t.as(INV).get(`/v1/requests/${b.doc.requestId}`)).body.banks[0]).toMatchObject({ state: 'answered', result: 'not_found' });
  });

  it('serves statistics from the log to auditors and prosecutors', async () => {
    await sanctionedRequest(t, { banks: ['GAMMKZKA'] });
    const s = await waitFor(async () => {
      const r = await t.as(AUD).get('/v1/stats');
      return r.body.byBank?.GAMMKZKA?.delivered >= 1 ? r.body : undefined;
    }, 'stats');
    expect(s.requests.received).toBeGreaterThanOrEqual(3);
    expect(s.byArticle['190-2-4']).toBeGreaterThanOrEqual(3);
    expect(s.byRegion.Almaty).toBeGreaterThanOrEqual(3);
    expect(s.scope).toBe('national');
    const p1 = await t.as('prosecutor/prosecutor-1').get('/v1/stats');
    expect(p1.status).toBe(200);
    expect(p1.body.byRegion.Almaty).toBe(s.byRegion.Almaty);
    const p2 = await t.as('prosecutor/prosecutor-2').get('/v1/stats');
    expect(p2.body.byRegion.Almaty).toBeUndefined();
    expect(Object.keys(p2.body.byBody)).toEqual([]);
    expect((await t.as(INV).get('/v1/stats')).status).toBe(403);
  });
});
