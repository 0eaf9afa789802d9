import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_BIN, DEMO_IIN } from '../../src/demo/pki/participants';
import { headSigner, makeRequest, makeSanction } from '../support/documents';
import { startTestGateway, TestGateway } from '../support/gateway';
import { KEYS, sign, signer } from '../support/identities';

let t: TestGateway;
beforeAll(async () => {
  // Workers off: this file is about intake and sanction, not delivery.
  t = await startTestGateway({}, { workers: false });
});
afterAll(async () => {
  await t.stop();
});

const INV = 'police/investigator-1';
const submit = (doc: unknown, signer = INV, client = INV) => t.as(client).post('/v1/requests', sign(doc, signer));
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function opensslVerify(der: Buffer): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'art50-rcpt-'));
  writeFileSync(join(dir, 'r.p7s'), der);
  return execFileSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(dir, 'r.p7s'), '-CAfile', join(KEYS, 'ca/root.pem'), '-binary', '-purpose', 'any'], { stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('POST /v1/requests', () => {
  it('accepts a request by the investigator: 202, digest, awaiting_sanction, a receipt openssl verifies', async () => {
    const doc = makeRequest();
    const res = await submit(doc);
    expect(res.status).toBe(202);
    expect(res.body.requestId).toBe(doc.requestId);
    expect(res.body.state).toBe('awaiting_sanction');
    expect(res.body.digest).toBe(sha256(JSON.stringify(doc)));
    const receipt = JSON.parse(opensslVerify(Buffer.from(res.body.receipt, 'base64')).toString());
    expect(receipt).toMatchObject({ type: 'receipt', event: 'request.received', requestId: doc.requestId, digest: res.body.digest });
    expect(Number.isInteger(receipt.logIndex)).toBe(true);
  });

  it('accepts a request signed by the head of the body', async () => {
    const res = await submit(makeRequest({ signer: headSigner() }), 'police/head-1');
    expect(res.status).toBe(202);
  });

  it('replays the same request as 200 with the same receipt; other content under the same id is 409', async () => {
    const doc = makeRequest();
    const der = sign(doc, INV);
    const first = await t.as(INV).post('/v1/requests', der);
    const again = await t.as(INV).post('/v1/requests', der);
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body.receipt).toBe(first.body.receipt);
    const changed = await submit({ ...doc, deadlineHours: 48 });
    expect(changed.status).toBe(409);
    expect(changed.body.code).toBe('request.conflict');
  });

  it('files the request under its ERDR number in the intake script; a resubmission files one the index lacks', async () => {
    const erdrNumber = '251750031000461'; // of this test only
    const doc = makeRequest({ case: { erdrNumber, article: '190-2-4' } });
    const der = sign(doc, INV);
    const caseKey = t.gw.keys.caseRequests(erdrNumber);
    expect((await t.as(INV).post('/v1/requests', der)).status).toBe(202);
    expect(await t.gw.redis.smembers(caseKey)).toEqual([doc.requestId]);
    // As a request stored before the index existed: the same document again puts it back.
    await t.gw.redis.del(caseKey);
    expect((await t.as(INV).post('/v1/requests', der)).status).toBe(200);
    expect(await t.gw.redis.smembers(caseKey)).toEqual([doc.requestId]);
  });

  it.each([
    ['prosecutor-1', 'prosecutor/prosecutor-1', 'participant.role'],
    ['a bank', 'banks/ALFAKZKA', 'participant.role'],
    ['investigator-2 for body A', 'police/investigator-2', 'participant.wrong_body'],
    ['the revoked certificate', 'police/investigator-revoked', 'cert.revoked'],
    ['the expired certificate', 'police/investigator-expired', 'cert.expired'],
  ])('refuses a request signed by %s (%s)', async (_what, signer, code) => {
    const res = await submit(makeRequest(), signer);
    expect(res.body.code).toBe(code);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('refuses when the TLS client belongs to another body', async () => {
    const res = await submit(makeRequest(), INV, 'police/investigator-2');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('participant.client_mismatch');
  });

  it.each([
    ['bad IIN check digit', { subject: { iin: '920614300912' } }, '/subject/iin'],
    ['bad IBAN', { subject: { iin: '920614300911', knownIbans: ['KZ761110000012345679'] } }, '/subject/knownIbans/0'],
    ['unknown BIC', { banks: ['ZZZZKZKA'] }, '/banks/0'],
    ['deadlineHours 73', { deadlineHours: 73 }, '/deadlineHours'],
    ['extra unknown field', { color: 'red' }, '/color'],
  ])('refuses %s naming the field', async (_what, over, field) => {
    const res = await submit(makeRequest(over));
    expect(res.status).toBe(422);
    expect(res.body.field).toBe(field);
    expect(res.body.detail).toContain(field);
  });

  it('refuses a missing field naming it', async () => {
    const doc = makeRequest();
    delete (doc as Record<string, unknown>).case;
    const res = await submit(doc);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('document.schema');
    expect(res.body.field).toBe('/case');
  });

  it('refuses signed non-JSON content', async () => {
    const res = await t.as(INV).post('/v1/requests', sign(Buffer.from('not json at all'), INV));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('document.not_json');
  });

  it('refuses 10 MB of JSON without reading past the limit', async () => {
    const big = Buffer.from(JSON.stringify({ ...makeRequest(), padding: 'x'.repeat(10 * 1024 * 1024) }));
    const res = await t.as(INV).post('/v1/requests', sign(big, INV));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('http.body_too_large');
  });

  it('refuses an empty body and random bytes', async () => {
    const empty = await t.as(INV).post('/v1/requests', Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(['http.empty_body', 'cms.malformed']).toContain(empty.body.code);
    const random = await t.as(INV).post('/v1/requests', Buffer.from('3082ffff0102030405', 'hex'));
    expect(random.status).toBe(400);
    expect(random.body.code).toBe('cms.malformed');
  });

  it('refuses createdAt more than ART50_REQUEST_MAX_AGE_DAYS (7) ago: document.too_old', async () => {
    const res = await submit(makeRequest({ createdAt: new Date(Date.now() - 8 * 86_400_000).toISOString() }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'document.too_old', field: '/createdAt' });
    expect((await submit(makeRequest({ createdAt: new Date(Date.now() - 6 * 86_400_000).toISOString() }))).status).toBe(202);
  });

  it('refuses balances and movements asked for dates that have not begun: document.date_in_future', async () => {
    const later = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const balances = await submit(makeRequest({ scope: { accountList: true, balances: { asOf: later } } }));
    expect(balances.status).toBe(422);
    expect(balances.body).toMatchObject({ code: 'document.date_in_future', field: '/scope/balances/asOf' });
    const movements = await submit(makeRequest({ scope: { accountList: true, movements: { from: '2025-02-01', to: later } } }));
    expect(movements.body).toMatchObject({ code: 'document.date_in_future', field: '/scope/movements/to' });
  });

  it('refuses createdAt in the future', async () => {
    const res = await submit(makeRequest({ createdAt: new Date(Date.now() + 3600_000).toISOString() }));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('document.created_in_future');
  });

  it('accepts a request and sanction signed with stock openssl cms -sign', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'art50-ossl-'));
    const doc = makeRequest();
    const json = Buffer.from(JSON.stringify(doc));
    writeFileSync(join(dir, 'req.json'), json);
    const osslSign = (input: string, out: string, who: string) =>
      execFileSync('openssl', ['cms', '-sign', '-nodetach', '-binary', '-md', 'sha256', '-outform', 'DER', '-in', join(dir, input), '-out', join(dir, out), '-signer', signer(who).certPath, '-inkey', signer(who).keyPath]);
    osslSign('req.json', 'req.p7s', INV);
    const res = await t.as(INV).post('/v1/requests', readFileSync(join(dir, 'req.p7s')));
    expect(res.status).toBe(202);
    writeFileSync(join(dir, 'sanction.json'), JSON.stringify(makeSanction(doc, res.body.digest)));
    osslSign('sanction.json', 'sanction.p7s', 'prosecutor/prosecutor-1');
    const s = await t.as('prosecutor/prosecutor-1').post(`/v1/requests/${doc.requestId}/sanction`, readFileSync(join(dir, 'sanction.p7s')));
    expect(s.status).toBe(201);
    expect(s.body.state).toBe('sanctioned');
  });
});

describe('sanctions', () => {
  async function pending(): Promise<{ doc: Record<string, unknown>; digest: string }> {
    const doc = makeRequest();
    const res = await submit(doc);
    expect(res.status).toBe(202);
    return { doc, digest: res.body.digest };
  }
  const sanction = (id: unknown, doc: unknown, who = 'prosecutor/prosecutor-1', client = who) => t.as(client).post(`/v1/requests/${id}/sanction`, sign(doc, who));

  it('lists pending requests to the supervising prosecutor only, with the request CMS', async () => {
    const { doc, digest } = await pending();
    const p1 = await t.as('prosecutor/prosecutor-1').get('/v1/sanctions/pending');
    expect(p1.status).toBe(200);
    const item = p1.body.items.find((i: { requestId: string }) => i.requestId === doc.requestId);
    expect(item.digest).toBe(digest);
    expect(sha256(opensslVerify(Buffer.from(item.request, 'base64')))).toBe(digest);
    const p2 = await t.as('prosecutor/prosecutor-2').get('/v1/sanctions/pending');
    expect(p2.body.items.some((i: { requestId: string }) => i.requestId === doc.requestId)).toBe(false);
  });

  it('grants: the request becomes sanctioned and leaves the pending list; a second sanction is 409', async () => {
    const { doc, digest } = await pending();
    const s = await sanction(doc.requestId, makeSanction(doc, digest));
    expect(s.status).toBe(201);
    expect(s.body.state).toBe('sanctioned');
    opensslVerify(Buffer.from(s.body.receipt, 'base64'));
    const again = await sanction(doc.requestId, makeSanction(doc, digest));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('sanction.already_decided');
    const status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    expect(status.body.state).toBe('sanctioned');
    expect(status.body.banks.map((b: { bic: string; state: string }) => `${b.bic}:${b.state}`)).toEqual(['ALFAKZKA:queued', 'BETAKZKA:queued', 'GAMMKZKA:queued']);
  });

  it('a refused decision ends the request with the prosecutor\'s reason', async () => {
    const { doc, digest } = await pending();
    const s = await sanction(doc.requestId, makeSanction(doc, digest, { decision: 'refused', reason: 'Grounds not established' }));
    expect(s.status).toBe(201);
    expect(s.body.state).toBe('rejected');
    const status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    expect(status.body).toMatchObject({ state: 'rejected', decision: { decision: 'refused', reason: 'Grounds not established' }, banks: [] });
  });

  it('a police system may relay a sanction the prosecutor signed', async () => {
    const { doc, digest } = await pending();
    const s = await sanction(doc.requestId, makeSanction(doc, digest), 'prosecutor/prosecutor-1', INV);
    expect(s.status).toBe(201);
  });

  it('a police system of another body cannot relay a sanction (the request is not found for it)', async () => {
    const { doc, digest } = await pending();
    const s = await sanction(doc.requestId, makeSanction(doc, digest), 'prosecutor/prosecutor-1', 'police/investigator-2');
    expect(s.status).toBe(404);
  });

  it('to prosecutor-2, who does not supervise body A, the request does not exist (404, as GET answers)', async () => {
    const { doc, digest } = await pending();
    const s = await sanction(doc.requestId, makeSanction(doc, digest, { prosecutor: { iin: DEMO_IIN.prosecutor2, bin: DEMO_BIN.officeB } }), 'prosecutor/prosecutor-2');
    expect(s.status).toBe(404);
    expect(s.body.code).toBe('request.not_found');
  });

  it('refuses a sanction bound to another request digest', async () => {
    const a = await pending();
    const b = await pending();
    const s = await sanction(a.doc.requestId, makeSanction(a.doc, b.digest));
    expect(s.status).toBe(422);
    expect(s.body.code).toBe('sanction.digest_mismatch');
  });

  it('refuses an expired sanction', async () => {
    const { doc, digest } = await pending();
    const s = await sanction(doc.requestId, makeSanction(doc, digest, { issuedAt: '2025-01-01T00:00:00Z', validUntil: '2025-01-02T00:00:00Z' }));
    expect(s.status).toBe(422);
    expect(s.body.code).toBe('sanction.expired');
  });

  it('refuses a sanction signed by an investigator', async () => {
    const { doc, digest } = await pending();
    const s = await sanction(doc.requestId, makeSanction(doc, digest), INV);
    expect(s.status).toBe(403);
    expect(s.body.code).toBe('participant.role');
  });
});

describe('GET /v1/requests/{id}', () => {
  it('is visible to the body, its prosecutor and auditors; 404 for anyone else', async () => {
    const doc = makeRequest();
    expect((await submit(doc)).status).toBe(202);
    for (const who of [INV, 'police/head-1', 'prosecutor/prosecutor-1', 'auditor/auditor-1']) {
      const r = await t.as(who).get(`/v1/requests/${doc.requestId}`);
      expect(r.status).toBe(200);
      expect(r.body.state).toBe('awaiting_sanction');
      expect(r.body.receipts[0].event).toBe('request.received');
    }
    for (const who of ['police/investigator-2', 'prosecutor/prosecutor-2', 'banks/ALFAKZKA']) {
      const r = await t.as(who).get(`/v1/requests/${doc.requestId}`);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('request.not_found');
    }
  });
});
