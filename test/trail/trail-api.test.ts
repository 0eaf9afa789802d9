import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sealStatement, joinSealedUpload } from '../../src/statements/sealed';
import { fileDemoCase, FiledCase } from '../support/demo-case';
import { INV, sanctionedRequest } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { ENCRYPTED_REGISTRY, KEYS, identity, sign, signer } from '../support/identities';
import { delivered, logEntries, lookupAccounts, makeStatement } from '../statements/helpers';

jest.setTimeout(120_000);

const ERDR = '251750031000777';
let t: TestGateway;
let filed: FiledCase;

beforeAll(async () => {
  t = await startTestGateway({}, { workers: true });
  filed = await fileDemoCase(t, ERDR);
}, 120_000);
afterAll(async () => t?.stop());

describe('GET /v1/cases/{erdrNumber}/trail', () => {
  it('draws the demo case: the victim, seven mule accounts in two banks, the second hop, every edge naming its statement', async () => {
    const res = await t.as(INV).get(`/v1/cases/${ERDR}/trail`);
    expect(res.status).toBe(200);
    const { nodes, edges, requests, encrypted, expired } = res.body as { nodes: Array<{ iban: string; bank: string; hop: number | null; holder?: { iin?: string } }>; edges: Array<{ from: string; to: string; hop: number; statementId: string; amount: string }>; requests: unknown[]; encrypted: unknown[]; expired: unknown[] };
    expect(requests).toHaveLength(8);
    expect(encrypted).toEqual([]);
    expect(expired).toEqual([]);
    const iban = (iin: string): string => filed.trail.parties.find((p) => p.iin === iin)!.iban;
    const victim = nodes.find((n) => n.iban === iban(filed.trail.subjectIin))!;
    expect(victim).toMatchObject({ bank: 'ALFAKZKA', hop: 0, holder: { iin: filed.trail.subjectIin } });
    const mules = filed.trail.muleIins.map((m) => nodes.find((n) => n.iban === iban(m))!);
    expect(mules.every((m) => m.hop === 1)).toBe(true);
    expect(mules.map((m) => m.bank).sort()).toEqual(['BETAKZKA', 'BETAKZKA', 'BETAKZKA', 'BETAKZKA', 'GAMMKZKA', 'GAMMKZKA', 'GAMMKZKA']);
    // Second hop: each mule forwards (to the exchange or the collector), as its own bank reported.
    const second = edges.filter((e) => e.hop === 2);
    expect(new Set(second.map((e) => e.from))).toEqual(new Set(filed.trail.muleIins.map(iban)));
    expect(edges.every((e) => filed.statementIds.includes(e.statementId))).toBe(true);
    expect(edges.find((e) => e.from === victim.iban && e.to === mules[0]!.iban)).toMatchObject({ amount: '3000000.00', hop: 1 });
  });

  it('is for the requesting body and its supervising prosecutor only: everyone else gets 404', async () => {
    expect((await t.as('prosecutor/prosecutor-1').get(`/v1/cases/${ERDR}/trail`)).body.nodes.length).toBeGreaterThan(8);
    for (const who of ['police/investigator-2', 'prosecutor/prosecutor-2', 'auditor/auditor-1', 'banks/ALFAKZKA']) {
      const res = await t.as(who).get(`/v1/cases/${ERDR}/trail`);
      expect([who, res.status, res.body.code]).toEqual([who, 404, 'case.not_found']);
    }
    expect((await t.as(INV).get('/v1/cases/251750031000999/trail')).body.code).toBe('case.not_found');
    const bad = await t.as(INV).get('/v1/cases/12345/trail');
    expect([bad.status, bad.body.code]).toEqual([400, 'case.bad_erdr']);
  });
});

describe('the supervising prosecutor', () => {
  it('sees where the money went (banks, amounts, times, hops) but no name, IIN, IBAN or purpose from the statements', async () => {
    type Node = { id: string; iban?: string; maskedIban?: string; bank?: string; hop: number | null; holder?: { name?: string; iin?: string } };
    type Edge = { id: string; from: string; to: string; amount: string; currency: string; time: string; hop: number; purpose?: string };
    const body = (await t.as(INV).get(`/v1/cases/${ERDR}/trail`)).body as { nodes: Node[]; edges: Edge[] };
    const res = await t.as('prosecutor/prosecutor-1').get(`/v1/cases/${ERDR}/trail`);
    expect(res.status).toBe(200);
    const office = res.body as { nodes: Node[]; edges: Edge[] };
    const text = JSON.stringify(office);
    const secrets = new Set<string>([filed.trail.subjectIin, ...filed.trail.parties.flatMap((p) => [p.iin, p.iban].filter((v): v is string => v !== undefined))]);
    for (const n of body.nodes) for (const v of [n.iban, n.holder?.name, n.holder?.iin]) if (v) secrets.add(v);
    for (const e of body.edges) if (e.purpose) secrets.add(e.purpose);
    // And straight from the bank-signed statements: every account, counterparty and purpose.
    type Doc = { accounts?: Array<{ iban: string; movements?: Array<{ purpose?: string; counterparty?: Record<string, string> }> }> };
    for (const d of filed.statements as Doc[]) {
      for (const a of d.accounts ?? []) {
        secrets.add(a.iban);
        for (const m of a.movements ?? []) for (const v of [m.purpose, m.counterparty?.name, m.counterparty?.iin, m.counterparty?.iban]) if (v) secrets.add(v);
      }
    }
    expect(body.edges.some((e) => e.purpose)).toBe(true);
    expect(body.nodes.some((n) => n.holder?.name)).toBe(true);
    expect([...secrets].filter((v) => text.includes(v))).toEqual([]);
    for (const n of office.nodes) {
      expect(n.holder).toBeUndefined();
      expect(n.iban).toBeUndefined();
    }
    // The same graph: every account masked as country, check digits and last 4, same banks, amounts, times and hops.
    const masked = (iban: string): string => `${iban.slice(0, 4)}…${iban.slice(-4)}`;
    expect(office.nodes.filter((n) => n.maskedIban).every((n) => /^[A-Z]{2}\d{2}…\w{4}$/.test(n.maskedIban!))).toBe(true);
    const shape = (t: { nodes: Node[]; edges: Edge[] }, label: (n: Node) => string): string[] => {
      const byId = new Map(t.nodes.map((n) => [n.id, n]));
      return t.edges.map((e) => `${label(byId.get(e.from)!)}>${label(byId.get(e.to)!)} ${byId.get(e.from)!.bank}>${byId.get(e.to)!.bank} ${e.amount} ${e.currency} ${e.time} ${e.hop}`).sort();
    };
    expect(shape(office, (n) => n.maskedIban ?? n.id)).toEqual(shape(body, (n) => (n.iban ? masked(n.iban) : n.id)));
  });
});

describe('reading statements through the trail', () => {
  it('is a logged download for the body (statement.downloaded naming the reader), not for the prosecutor, who gets no contents', async () => {
    const erdr = '251750031000444';
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'], case: { erdrNumber: erdr, article: '190-2-4' } });
    await delivered(t, 'ALFAKZKA', doc.requestId);
    const statement = makeStatement(doc, digest, 'ALFAKZKA');
    const posted = await t.as('banks/ALFAKZKA').post('/v1/statements', sign(statement, 'banks/ALFAKZKA'));
    expect(posted.status).toBe(201);
    const downloads = async (): Promise<Array<Record<string, unknown>>> => (await logEntries(t)).filter((e) => e.event === 'statement.downloaded' && e.statementId === statement.statementId) as Array<Record<string, unknown>>;

    expect((await t.as('prosecutor/prosecutor-1').get(`/v1/cases/${erdr}/trail`)).status).toBe(200);
    expect(await downloads()).toEqual([]);
    expect(await t.gw.redis.hget(t.gw.keys.statement(String(statement.statementId)), 'firstDownloadAt')).toBeNull();

    const res = await t.as(INV).get(`/v1/cases/${erdr}/trail`);
    expect(res.status).toBe(200);
    expect(res.body.edges.length).toBeGreaterThan(0);
    const fingerprint = identity(INV).cert.fingerprint256.replace(/:/g, '').toLowerCase();
    const logged = await downloads();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ requestId: doc.requestId, bank: 'ALFAKZKA', digests: { statement: posted.body.digest }, actor: { fingerprint, role: 'investigator' } });
    // The body has read it: the retention clock runs from this read, as from any download.
    expect(Number(await t.gw.redis.hget(t.gw.keys.statement(String(statement.statementId)), 'firstDownloadAt'))).toBeGreaterThan(0);
  });
});

describe('a counterparty known only by a payment card', () => {
  it('is a node with the masked number; the full number goes to the requesting body only, not to the supervising prosecutor', async () => {
    const erdr = '251750031000555';
    const card = '4400430000001237';
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'], case: { erdrNumber: erdr, article: '190-2-4' } });
    await delivered(t, 'ALFAKZKA', doc.requestId);
    const accounts = lookupAccounts(doc, 'ALFAKZKA');
    const account = accounts.find((a) => (a.movements ?? []).length > 0)!;
    const template = account.movements![0]!;
    account.movements!.push({ ...template, id: `${template.id}-card`, amount: '-250000.00', counterparty: { name: 'Card holder', card } });
    expect((await t.as('banks/ALFAKZKA').post('/v1/statements', sign(makeStatement(doc, digest, 'ALFAKZKA', {}, accounts), 'banks/ALFAKZKA'))).status).toBe(201);
    const forBody = await t.as(INV).get(`/v1/cases/${erdr}/trail`);
    expect(forBody.status).toBe(200);
    const node = (forBody.body.nodes as Array<Record<string, unknown>>).find((n) => n.card !== undefined);
    expect(node).toMatchObject({ id: 'card:440043******1237', card: '440043******1237', cardNumber: card, hop: 1, holder: { name: 'Card holder' } });
    expect(node!.iban).toBeUndefined();
    expect(forBody.body.edges).toEqual(expect.arrayContaining([expect.objectContaining({ from: account.iban, to: 'card:440043******1237', amount: '250000.00' })]));
    const forProsecutor = await t.as('prosecutor/prosecutor-1').get(`/v1/cases/${erdr}/trail`);
    expect(forProsecutor.status).toBe(200);
    expect((forProsecutor.body.nodes as Array<Record<string, unknown>>).find((n) => n.id === 'card:440043******1237')).toMatchObject({ card: '440043******1237' });
    expect(JSON.stringify(forProsecutor.body)).not.toContain(card);
  });
});

describe('a case with statements encrypted to the body', () => {
  let e: TestGateway;
  afterAll(async () => e?.stop());

  it('lists the encrypted statements (statementId, bank) for the body to decrypt instead of drawing them', async () => {
    e = await startTestGateway({ ART50_REGISTRY: ENCRYPTED_REGISTRY }, { workers: true });
    const erdr = '251750031000888';
    const { doc, digest } = await sanctionedRequest(e, { banks: ['ALFAKZKA'], case: { erdrNumber: erdr, article: '190-2-4' } });
    await delivered(e, 'ALFAKZKA', doc.requestId);
    const statement = makeStatement(doc, digest, 'ALFAKZKA');
    const certA = new X509Certificate(readFileSync(join(KEYS, 'police', 'encryption-A.pem')));
    const sealed = sealStatement({ signed: sign(statement, 'banks/ALFAKZKA'), recipient: certA, signer: signer('banks/ALFAKZKA') });
    expect((await e.as('banks/ALFAKZKA').post('/v1/statements', joinSealedUpload(sealed))).status).toBe(201);
    const res = await e.as(INV).get(`/v1/cases/${erdr}/trail`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ nodes: [], edges: [], encrypted: [{ statementId: statement.statementId, requestId: doc.requestId, bank: 'ALFAKZKA' }] });
  });
});

describe('a case whose statements are too large to read for one answer', () => {
  let small: TestGateway;
  afterAll(async () => small?.stop());

  it('is refused with 422 case.trail_too_large pointing to police fetch and follow, before anything is read or logged', async () => {
    small = await startTestGateway({ ART50_TRAIL_MAX_BYTES: '2kb' }, { workers: true });
    const erdr = '251750031000333';
    const { doc, digest } = await sanctionedRequest(small, { banks: ['ALFAKZKA'], case: { erdrNumber: erdr, article: '190-2-4' } });
    await delivered(small, 'ALFAKZKA', doc.requestId);
    const statement = makeStatement(doc, digest, 'ALFAKZKA');
    const signed = sign(statement, 'banks/ALFAKZKA');
    expect(signed.length).toBeGreaterThan(2048);
    expect((await small.as('banks/ALFAKZKA').post('/v1/statements', signed)).status).toBe(201);
    for (const who of [INV, 'prosecutor/prosecutor-1']) {
      const res = await small.as(who).get(`/v1/cases/${erdr}/trail`);
      expect([who, res.status, res.body.code]).toEqual([who, 422, 'case.trail_too_large']);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.detail).toMatch(/art50 police fetch.*art50 police follow/);
    }
    expect((await logEntries(small)).filter((e) => e.event === 'statement.downloaded')).toEqual([]);
    // Who may not see the case still learns nothing of it.
    expect((await small.as('police/investigator-2').get(`/v1/cases/${erdr}/trail`)).body.code).toBe('case.not_found');
  });

  it('draws a case under the limit as before', async () => {
    const erdr = '251750031000334';
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'], case: { erdrNumber: erdr, article: '190-2-4' } });
    await delivered(t, 'ALFAKZKA', doc.requestId);
    expect((await t.as('banks/ALFAKZKA').post('/v1/statements', sign(makeStatement(doc, digest, 'ALFAKZKA'), 'banks/ALFAKZKA'))).status).toBe(201);
    expect((await t.as(INV).get(`/v1/cases/${erdr}/trail`)).status).toBe(200);
  });
});
