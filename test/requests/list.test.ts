import { DEMO_BIN, DEMO_IIN } from '../../src/demo/pki/participants';
import { makeRequest, makeSanction } from '../support/documents';
import { INV, PROS } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { KEYS, ROOT_PEM, sign } from '../support/identities';
import { main } from '../../src/cli/main';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * GET /v1/requests: a police body's own requests, newest first, with the state per bank, paged
 * by a cursor that stays put while new requests arrive; never another body's.
 */

jest.setTimeout(60_000);
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.stop();
});

type Item = { requestId: string; state: string; addressed: unknown; banks: Array<{ bic: string; state: string }>; decision?: { decision: string } };

async function submit(who = INV, over: Record<string, unknown> = {}): Promise<{ id: string; digest: string; doc: Record<string, unknown> }> {
  const doc = makeRequest(over);
  const res = await t.as(who).post('/v1/requests', sign(doc, who));
  expect(res.status).toBe(202);
  return { id: String(doc.requestId), digest: String(res.body.digest), doc };
}

async function all(who: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await t.as(who).get(`/v1/requests?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    ids.push(...(res.body.items as Item[]).map((i) => i.requestId));
    cursor = res.body.nextCursor as string | undefined;
    pages++;
  } while (cursor);
  return { ids, pages };
}

describe('GET /v1/requests', () => {
  it('lists the body\'s requests newest first with the state per bank, paged without gaps or repeats, and never another body\'s', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 7; i++) mine.push((await submit()).id);
    const other = await submit('police/investigator-2', {
      body: { bin: DEMO_BIN.bodyB, name: 'Police Department of Karaganda Region (demo)' },
      signer: { iin: DEMO_IIN.investigator2, name: 'Daniyar Omarov', position: 'Investigator' },
    });

    const first = await t.as(INV).get('/v1/requests?limit=3');
    expect(first.status).toBe(200);
    expect((first.body.items as Item[]).map((i) => i.requestId)).toEqual(mine.slice(-3).reverse());
    expect(first.body.items[0]).toMatchObject({ state: 'awaiting_sanction', banks: [], scope: { accountList: true }, erdrNumber: expect.stringMatching(/^\d{15}$/) });

    // A request arriving between pages does not shift the next page.
    const late = await submit();
    const second = await t.as(INV).get(`/v1/requests?limit=3&cursor=${first.body.nextCursor}`);
    expect((second.body.items as Item[]).map((i) => i.requestId)).toEqual(mine.slice(-6, -3).reverse());

    const { ids, pages } = await all(INV, 2);
    expect(ids.slice(0, 8)).toEqual([late.id, ...[...mine].reverse()]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(ids).not.toContain(other.id);

    const theirs = await all('police/investigator-2', 50);
    expect(theirs.ids).toContain(other.id);
    expect(theirs.ids.some((id) => mine.includes(id))).toBe(false);
  });

  it('shows the decision and each bank\'s state once sanctioned', async () => {
    const r = await submit(INV, { banks: ['ALFAKZKA', 'BETAKZKA'] });
    expect((await t.as(PROS).post(`/v1/requests/${r.id}/sanction`, sign(makeSanction(r.doc, r.digest), PROS))).status).toBe(201);
    const item = ((await t.as(INV).get('/v1/requests?limit=5')).body.items as Item[]).find((i) => i.requestId === r.id)!;
    expect(item.decision).toMatchObject({ decision: 'granted' });
    expect(item.addressed).toEqual(['ALFAKZKA', 'BETAKZKA']);
    expect(item.banks.map((b) => b.bic)).toEqual(['ALFAKZKA', 'BETAKZKA']);
    expect(item.banks.every((b) => ['queued', 'delivered'].includes(b.state))).toBe(true);
  });

  it('art50 police list prints the same pages, and --cursor gets the next one', async () => {
    const ca = join(mkdtempSync(join(tmpdir(), 'art50-list-')), 'root.pem');
    writeFileSync(ca, ROOT_PEM());
    const run = async (...args: string[]): Promise<{ code: number; out: string }> => {
      const out: string[] = [];
      const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
      try {
        const code = await main(['node', 'art50', 'police', 'list', '--cert', join(KEYS, `${INV}.pem`), '--key', join(KEYS, `${INV}.key`), '--gateway', `https://127.0.0.1:${t.port}`, '--ca', ca, ...args]);
        return { code, out: out.join('') };
      } finally {
        o.mockRestore();
      }
    };
    const api = (await t.as(INV).get('/v1/requests?limit=2')).body as { items: Item[]; nextCursor: string };
    const json = await run('--limit', '2', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(api);
    const text = await run('--limit', '2');
    expect(text.out).toContain(api.items[0]!.requestId);
    expect(text.out).toContain(`more: --cursor ${api.nextCursor}`);
    const next = await run('--limit', '2', '--cursor', api.nextCursor, '--json');
    expect((JSON.parse(next.out) as { items: Item[] }).items.map((i) => i.requestId)).toEqual(((await t.as(INV).get(`/v1/requests?limit=2&cursor=${api.nextCursor}`)).body.items as Item[]).map((i) => i.requestId));
  });

  it('lists a request its body list lacks again once it is resubmitted, at its original place', async () => {
    const docs = [makeRequest(), makeRequest(), makeRequest()];
    const ders = docs.map((d) => sign(d, INV));
    for (const der of ders) expect((await t.as(INV).post('/v1/requests', der)).status).toBe(202);
    const ids = docs.map((d) => String(d.requestId));
    const listKey = t.gw.keys.requestsOfBody(String((docs[1]!.body as { bin: string }).bin));
    const score = await t.gw.redis.zscore(listKey, ids[1]!);
    expect(Number(score)).toBe(Date.parse(String((await t.as(INV).get(`/v1/requests/${ids[1]}`)).body.receivedAt)));
    // As a request stored before the body's list existed: not listed, until the same document comes again.
    await t.gw.redis.zrem(listKey, ids[1]!);
    expect((await all(INV, 50)).ids).not.toContain(ids[1]);
    expect((await t.as(INV).post('/v1/requests', ders[1]!)).status).toBe(200);
    expect(await t.gw.redis.zscore(listKey, ids[1]!)).toBe(score);
    const listed = (await all(INV, 50)).ids;
    expect(listed.slice(listed.indexOf(ids[2]!), listed.indexOf(ids[0]!) + 1)).toEqual([...ids].reverse());
  });

  it('is for police bodies only, and refuses a cursor it did not write', async () => {
    expect((await t.as(PROS).get('/v1/requests')).status).toBe(403);
    expect((await t.as('banks/ALFAKZKA').get('/v1/requests')).status).toBe(403);
    const bad = await t.as(INV).get('/v1/requests?cursor=abc');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'http.bad_request', field: 'cursor' });
    expect((await t.as(INV).get('/v1/requests?limit=201')).status).toBe(400);
  });
});
