import { makeRequest, makeSanction } from '../support/documents';
import { INV, PROS, sanctionedRequest } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { sign } from '../support/identities';
import { binary, delivered, logEntries, makeStatement, opensslVerify, refusal, sha256 } from './helpers';

let t: TestGateway;
let shiftMs = 0;
beforeAll(async () => {
  t = await startTestGateway({}, { clock: () => new Date(Date.now() + shiftMs) });
});
afterAll(async () => {
  await t.stop();
});

const ALFA = 'banks/ALFAKZKA';
const BETA = 'banks/BETAKZKA';
const post = (doc: unknown, signer = ALFA, client = signer) => t.as(client).post('/v1/statements', sign(doc, signer));
const download = (who: string, statementId: unknown) => t.as(who).get(`/v1/statements/${statementId}`).buffer(true).parse(binary);

const pem = (der: Buffer): Buffer => Buffer.from(`-----BEGIN CMS-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CMS-----\n`);

describe('documents posted as PEM', () => {
  it('are stored and handed on as DER, and the bank can answer the request', async () => {
    const doc = makeRequest({ banks: ['ALFAKZKA'] });
    const r = await t.as(INV).post('/v1/requests', pem(sign(doc, INV)));
    expect(r.status).toBe(202);
    const s = await t.as(PROS).post(`/v1/requests/${doc.requestId}/sanction`, pem(sign(makeSanction(doc, r.body.digest), PROS)));
    expect(s.status).toBe(201);
    const item = await delivered(t, 'ALFAKZKA', doc.requestId) as unknown as { request: string; sanction: string };
    expect(Buffer.from(item.request, 'base64')[0]).toBe(0x30);
    expect(Buffer.from(item.sanction, 'base64')[0]).toBe(0x30);
    const answered = await post(makeStatement(doc, r.body.digest, 'ALFAKZKA'));
    expect(answered.status).toBe(201);
  });
});

describe('full path: investigator → sanction → bank inbox → statement → investigator download', () => {
  it('delivers the bank\'s exact CMS bytes, which openssl verifies, with a sealed receipt; the request completes', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA', 'BETAKZKA'] });
    const item = await delivered(t, 'ALFAKZKA', doc.requestId);
    expect((await t.as(ALFA).post(`/v1/inbox/${item.deliveryId}/ack`)).status).toBe(200);
    await delivered(t, 'BETAKZKA', doc.requestId);

    const statement = makeStatement(doc, digest, 'ALFAKZKA');
    expect(statement.result).toBe('found');
    const der = sign(statement, ALFA);
    const res = await t.as(ALFA).post('/v1/statements', der);
    expect(res.status).toBe(201);
    expect(res.body.statementId).toBe(statement.statementId);
    expect(res.body.digest).toBe(sha256(JSON.stringify(statement)));
    const receipt = JSON.parse(opensslVerify(Buffer.from(res.body.receipt, 'base64')).toString('utf8'));
    expect(receipt).toMatchObject({
      type: 'receipt', event: 'statement.received', requestId: doc.requestId, statementId: statement.statementId, digest: res.body.digest, bank: 'ALFAKZKA', logIndex: res.body.logIndex,
    });

    let status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    expect(status.body.state).toBe('in_progress');
    expect(status.body.banks.find((b: { bic: string }) => b.bic === 'ALFAKZKA').state).toBe('answered');

    const beta = await post(refusal(doc, digest, 'BETAKZKA'), BETA);
    expect(beta.status).toBe(201);
    status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    expect(status.body.state).toBe('completed');
    expect(status.body.banks.map((b: { state: string }) => b.state)).toEqual(['answered', 'refused_by_bank']);

    const list = await t.as(INV).get(`/v1/requests/${doc.requestId}/statements`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items[0]).toMatchObject({ statementId: statement.statementId, bank: 'ALFAKZKA', digest: res.body.digest, result: 'found', receipt: res.body.receipt, current: true });
    expect(list.body.items[1]).toMatchObject({ bank: 'BETAKZKA', result: 'refused', current: true });

    const got = await download(INV, statement.statementId);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toMatch(/^application\/pkcs7-mime/);
    expect(Buffer.compare(got.body as Buffer, der)).toBe(0);
    expect(got.headers['x-art50-digest']).toBe(res.body.digest);
    const content = opensslVerify(got.body as Buffer);
    expect(sha256(content)).toBe(got.headers['x-art50-digest']);
    expect(JSON.parse(content.toString('utf8')).statementId).toBe(statement.statementId);

    const log = await logEntries(t);
    const received = log.find((e) => e.event === 'statement.received' && e.statementId === statement.statementId);
    expect(received).toMatchObject({ requestId: doc.requestId, bank: 'ALFAKZKA', digests: { request: digest, statement: res.body.digest }, actor: { role: 'bank' } });
    const dl = log.filter((e) => e.event === 'statement.downloaded' && e.statementId === statement.statementId);
    expect(dl).toHaveLength(1);
    expect(dl[0]).toMatchObject({ actor: { role: 'investigator' }, digests: { statement: res.body.digest } });
  });

  it('only the requesting body downloads: another body, a bank, a prosecutor get 404', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    await delivered(t, 'ALFAKZKA', doc.requestId);
    const statement = makeStatement(doc, digest);
    expect((await post(statement)).status).toBe(201);
    for (const who of ['police/investigator-2', ALFA, PROS, 'auditor/auditor-1']) {
      const res = await download(who, statement.statementId);
      expect(res.status).toBe(404);
      const list = await t.as(who).get(`/v1/requests/${doc.requestId}/statements`);
      expect(list.status).toBe(404);
    }
    expect((await download('police/head-1', statement.statementId)).status).toBe(200);
    expect((await download(INV, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('idempotency, conflicts, corrections', () => {
  it('the same statement again is 200 with the same receipt; a different one is 409; a correction naming the current one is accepted', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    await delivered(t, 'ALFAKZKA', doc.requestId);
    const first = makeStatement(doc, digest);
    const der = sign(first, ALFA);
    const a = await t.as(ALFA).post('/v1/statements', der);
    const b = await t.as(ALFA).post('/v1/statements', der);
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(b.body.receipt).toBe(a.body.receipt);
    expect(b.body.logIndex).toBe(a.body.logIndex);

    const other = await post(makeStatement(doc, digest, 'ALFAKZKA', { result: 'not_found', accounts: [] }));
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('statement.conflict');
    const wrongTarget = await post(makeStatement(doc, digest, 'ALFAKZKA', { corrects: '00000000-0000-4000-8000-000000000000' }));
    expect(wrongTarget.status).toBe(409);
    expect(wrongTarget.body.code).toBe('statement.conflict');

    const correction = makeStatement(doc, digest, 'ALFAKZKA', { corrects: first.statementId });
    const c = await post(correction);
    expect(c.status).toBe(201);
    expect(c.body.corrects).toBe(first.statementId);
    // The old statement can no longer be corrected: only the current one can.
    const stale = await post(makeStatement(doc, digest, 'ALFAKZKA', { corrects: first.statementId }));
    expect(stale.status).toBe(409);
    // Replaying the corrected (old) statement is still a replay, not a new answer.
    expect((await t.as(ALFA).post('/v1/statements', der)).status).toBe(200);

    const list = (await t.as(INV).get(`/v1/requests/${doc.requestId}/statements`)).body.items as Array<{ statementId: string; current: boolean; corrects?: string }>;
    expect(list.map((i) => [i.statementId, i.current, i.corrects])).toEqual([
      [first.statementId, false, undefined],
      [correction.statementId, true, first.statementId],
    ]);
    expect((await download(INV, first.statementId)).status).toBe(200);
    const status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    expect(status.body.state).toBe('completed');
  });
});

describe('refusals, each with its code', () => {
  let doc: Record<string, unknown>;
  let digest: string;
  beforeAll(async () => {
    ({ doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] }));
    await delivered(t, 'ALFAKZKA', doc.requestId);
  });

  it('a statement naming ALFAKZKA signed by BETAKZKA: participant.wrong_bank (and logged as statement.refused)', async () => {
    const s = makeStatement(doc, digest, 'ALFAKZKA');
    const viaBeta = await post(s, BETA, BETA);
    expect(viaBeta.status).toBe(403);
    expect(viaBeta.body.code).toBe('participant.wrong_bank');
    const viaAlfa = await post(s, BETA, ALFA);
    expect(viaAlfa.body.code).toBe('participant.wrong_bank');
    const log = await logEntries(t);
    const refused = log.filter((e) => e.event === 'statement.refused' && e.statementId === s.statementId);
    expect(refused.length).toBe(2);
    // Logged under the bank that posted it (the TLS client), never the bank the document claims.
    expect(refused[0]).toMatchObject({ code: 'participant.wrong_bank', bank: 'BETAKZKA', actor: { role: 'bank' } });
    expect(refused[1]).toMatchObject({ code: 'participant.wrong_bank', bank: 'ALFAKZKA' });
  });

  it('ALFA TLS client posting a statement BETA signed for itself: participant.wrong_bank', async () => {
    const res = await post(makeStatement(doc, digest, 'BETAKZKA'), BETA, ALFA);
    expect(res.body.code).toBe('participant.wrong_bank');
  });

  it('bank.bin not the registry BIN of the BIC: participant.wrong_bank', async () => {
    const res = await post(makeStatement(doc, digest, 'ALFAKZKA', { bank: { bic: 'ALFAKZKA', bin: '941140000784' } }));
    expect(res.body.code).toBe('participant.wrong_bank');
  });

  it('a request the bank did not receive, and an unknown request: statement.no_delivery (same answer)', async () => {
    const notMine = await post(makeStatement(doc, digest, 'BETAKZKA'), BETA);
    expect(notMine.status).toBe(422);
    expect(notMine.body.code).toBe('statement.no_delivery');
    const unknown = await post(makeStatement({ ...doc, requestId: '00000000-0000-4000-8000-000000000001' }, digest, 'ALFAKZKA'));
    expect(unknown.body.code).toBe('statement.no_delivery');
  });

  it('a request awaiting its sanction has no delivery yet: statement.no_delivery', async () => {
    const req = makeRequest({ banks: ['ALFAKZKA'] });
    const r = await t.as(INV).post('/v1/requests', sign(req, INV));
    expect(r.status).toBe(202);
    const res = await post(makeStatement(req, r.body.digest, 'ALFAKZKA'));
    expect(res.body.code).toBe('statement.no_delivery');
    void makeSanction;
  });

  it('wrong requestDigest: statement.digest_mismatch', async () => {
    const res = await post(makeStatement(doc, sha256('other request'), 'ALFAKZKA'));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('statement.digest_mismatch');
  });

  it('a movement outside the requested period: statement.period', async () => {
    const s = makeStatement(doc, digest, 'ALFAKZKA');
    const accounts = s.accounts as Array<{ movements?: Array<{ bookedAt: string }> }>;
    const withMovements = accounts.find((a) => (a.movements ?? []).length > 0)!;
    withMovements.movements![0]!.bookedAt = '2024-12-31T23:59:00+05:00';
    const res = await post(s);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('statement.period');
  });

  it('an amount as a JSON number: document.schema', async () => {
    const s = makeStatement(doc, digest, 'ALFAKZKA');
    const accounts = s.accounts as Array<{ movements?: Array<{ amount: unknown }> }>;
    accounts.find((a) => (a.movements ?? []).length > 0)!.movements![0]!.amount = 100.5;
    const res = await post(s);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('document.schema');
  });

  it('a refusal without a reason: document.schema', async () => {
    const { reason, ...noReason } = refusal(doc, digest, 'ALFAKZKA');
    void reason;
    const res = await post(noReason);
    expect(res.body.code).toBe('document.schema');
  });

  it('signed with a revoked certificate (investigator-revoked): cert.revoked', async () => {
    const res = await post(makeStatement(doc, digest, 'ALFAKZKA'), 'police/investigator-revoked', ALFA);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('cert.revoked');
  });

  it('a police client cannot post statements: auth.forbidden', async () => {
    const res = await post(makeStatement(doc, digest, 'ALFAKZKA'), ALFA, INV);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.forbidden');
  });

  it('after all refusals the delivery is still answerable', async () => {
    expect((await post(makeStatement(doc, digest, 'ALFAKZKA'))).status).toBe(201);
  });
});

describe('retention', () => {
  it('the payload is deleted statementRetentionDays after the first download: 410 statement.expired, digest stays', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    await delivered(t, 'ALFAKZKA', doc.requestId);
    const s = makeStatement(doc, digest);
    const posted = await post(s);
    expect(posted.status).toBe(201);
    const key = t.gw.keys.statement(String(s.statementId));
    expect(await t.gw.redis.hget(key, 'firstDownloadAt')).toBeNull();
    expect((await download(INV, s.statementId)).status).toBe(200);
    const first = Number(await t.gw.redis.hget(key, 'firstDownloadAt'));
    expect(Number(await t.gw.redis.hget(key, 'expiresAt')) - first).toBe(t.config.statementRetentionDays * 86_400_000);
    shiftMs = 29 * 86_400_000;
    try {
      expect((await download(INV, s.statementId)).status).toBe(200);
      // The clock starts at the FIRST download: a later one does not extend it.
      expect(Number(await t.gw.redis.hget(key, 'firstDownloadAt'))).toBe(first);
      shiftMs = (t.config.statementRetentionDays + 1) * 86_400_000;
      const gone = await download(INV, s.statementId);
      expect(gone.status).toBe(410);
      expect(JSON.parse((gone.body as Buffer).toString('utf8')).code).toBe('statement.expired');
      expect(await t.gw.redis.hexists(key, 'cms')).toBe(0);
      const list = (await t.as(INV).get(`/v1/requests/${doc.requestId}/statements`)).body.items;
      expect(list[0]).toMatchObject({ statementId: s.statementId, digest: posted.body.digest, expired: true });
    } finally {
      shiftMs = 0;
    }
  });
  it('a statement never downloaded is deleted statementUnreadRetentionDays after it arrived (issue 14.3); the digest and log entry stay', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    await delivered(t, 'ALFAKZKA', doc.requestId);
    const s = makeStatement(doc, digest);
    const posted = await post(s);
    expect(posted.status).toBe(201);
    const key = t.gw.keys.statement(String(s.statementId));
    const days = t.config.statementUnreadRetentionDays;
    expect(days).toBe(90);
    const expiresAt = Number(await t.gw.redis.hget(key, 'expiresAt'));
    expect(expiresAt - Date.parse(String(await t.gw.redis.hget(key, 'receivedAt')))).toBe(days * 86_400_000);
    expect(await t.gw.redis.zscore(`${t.gw.keys.tag}:stmt:expiry`, String(s.statementId))).toBe(String(expiresAt));
    shiftMs = (days + 1) * 86_400_000;
    try {
      const list = (await t.as(INV).get(`/v1/requests/${doc.requestId}/statements`)).body.items;
      expect(list[0]).toMatchObject({ statementId: s.statementId, digest: posted.body.digest, expired: true });
      const gone = await download(INV, s.statementId);
      expect(gone.status).toBe(410);
      const problem = JSON.parse((gone.body as Buffer).toString('utf8'));
      expect(problem.code).toBe('statement.expired');
      expect(problem.detail).toContain('without a download');
      expect(await t.gw.redis.hexists(key, 'cms')).toBe(0);
      expect((await logEntries(t)).some((e) => e.event === 'statement.received' && e.statementId === s.statementId)).toBe(true);
    } finally {
      shiftMs = 0;
    }
  });
});
