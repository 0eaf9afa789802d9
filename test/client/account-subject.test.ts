import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Redis from 'ioredis';
import { ReferenceBank } from '../../src/bank/reference-bank';
import { ApiClient } from '../../src/client/api-client';
import { ClientTrust, loadClientTrust } from '../../src/client/trust';
import { createCoreBanking } from '../../src/demo/core-banking/core';
import { CoreBanking } from '../../src/demo/core-banking/types';
import { planMoneyTrail } from '../../src/demo/core-banking/trail';
import { completeCardNumber, completeKzId, makeKzIban } from '../../src/documents/check-digits';
import type { RequestDoc, StatementDoc } from '../../src/documents/types';
import { deriveSubjectKey } from '../../src/log/subject-key';
import { EmbeddedRedis, startEmbeddedRedis } from '../../src/redis/embedded';
import { makeRequest, makeSanction } from '../support/documents';
import { INV, PROS, waitFor } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { ENCRYPTED_REGISTRY, identity, KEYS, ROOT_PEM, sign } from '../support/identities';
import { CliRun, runCli } from '../support/cli';

/**
 * A request by IBAN or card number (issue 17.2), end to end with encrypted statements: the subject
 * sends money to one person the paying bank knows only by account (IBAN) and to one it knows only
 * by card; `police follow` builds the next hops by IBAN and by card, the receiving bank answers each
 * naming the holder; mistyped numbers are refused with their codes; and neither the IBAN nor the
 * card number is in the gateway's log lines or in any file Redis wrote (AOF, RDB).
 */

jest.setTimeout(120_000);
const SECRET = randomBytes(32).toString('base64');
const iin = (first11: string): string => completeKzId(first11);
const SUBJECT = { iin: iin('88020230012'), name: 'Victim Account Holder' };
const BY_IBAN = { key: 'byIban', name: 'Aliya Demo-Iban', iin: iin('95031140021'), iban: makeKzIban('222', '0000077700001') };
const BY_CARD = { key: 'byCard', name: 'Serik Demo-Card', iin: iin('97072550031'), card: completeCardNumber('440043987654321') };
const MASKED = `${BY_CARD.card.slice(0, 6)}******${BY_CARD.card.slice(-4)}`;
const BAD_IBAN = BY_IBAN.iban.slice(0, -1) + (BY_IBAN.iban.endsWith('1') ? '2' : '1');
const BAD_CARD = BY_CARD.card.slice(0, -1) + String((Number(BY_CARD.card.slice(-1)) + 1) % 10);

let redis: EmbeddedRedis;
let t: TestGateway;
let trust: ClientTrust;
let dir: string;
let base: string;
const logLines: string[] = [];
const apis: ApiClient[] = [];
const key = (who: string): string[] => ['--cert', join(KEYS, `${who}.pem`), '--key', join(KEYS, `${who}.key`)];

const cli = (...args: string[]): Promise<CliRun> => runCli(args, { keyPassword: 'art50-demo' });

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? filesUnder(join(d, n)) : [join(d, n)]));
}

/** The bank `bic` of the registry, answering from books that hold the planted story. */
function bankFor(bic: string, core: CoreBanking): ReferenceBank {
  const id = identity(`banks/${bic}`);
  const api = new ApiClient({ baseUrl: base, cert: id.certPem, key: id.keyPem, ca: ROOT_PEM() });
  apis.push(api);
  return new ReferenceBank({ api, identity: id, registry: trust.registry, trust, core });
}

function coreFor(bic: string): CoreBanking {
  const bank = trust.registry.bankByBic(bic)!;
  const peers = trust.registry.banks().filter((b) => b.bic !== bic).map((b) => ({ bic: b.bic!, ibanCode: b.ibanCode! }));
  const core = createCoreBanking({ seed: 7, bank: { bic, bin: bank.bin, ibanCode: bank.ibanCode! }, peers });
  core.seedCase(planMoneyTrail({
    seed: 7,
    parties: [
      { key: 'subject', name: SUBJECT.name, iin: SUBJECT.iin, bic: 'ALFAKZKA', ibanCode: trust.registry.bankByBic('ALFAKZKA')!.ibanCode!, openingBalance: '2000000.00' },
      // The paying bank names these two by account only and by card only (no IIN): a card-to-card transfer.
      { key: BY_IBAN.key, name: BY_IBAN.name, iin: BY_IBAN.iin, iban: BY_IBAN.iban, bic: 'BETAKZKA', ibanCode: '222', shownAs: 'iban' },
      { key: BY_CARD.key, name: BY_CARD.name, iin: BY_CARD.iin, card: BY_CARD.card, bic: 'BETAKZKA', ibanCode: '222', shownAs: 'card' },
    ],
    transfers: [
      { from: 'subject', to: BY_IBAN.key, amount: '1000000.00', bookedAt: '2025-02-10T10:00:00+05:00', channel: 'mobile' },
      { from: 'subject', to: BY_CARD.key, amount: '700000.00', bookedAt: '2025-02-10T10:05:00+05:00', channel: 'mobile' },
    ],
  }));
  return core;
}

async function sanction(requestId: string, digest: string): Promise<void> {
  const s = await t.as(PROS).post(`/v1/requests/${requestId}/sanction`, sign(makeSanction({ requestId, case: { erdrNumber: '251750031000123' } }, digest), PROS));
  expect(s.status).toBe(201);
}

/** Has `bank` answer `requestId`, then fetches and decrypts its statement as the investigator. */
async function answeredStatement(bank: ReferenceBank, requestId: string, out: string): Promise<StatementDoc> {
  const outcome = await waitFor(async () => (await bank.pollOnce()).find((o) => o.requestId === requestId), `the answer to ${requestId}`, 30_000);
  expect(outcome.outcome).toBe('answered');
  const f = await cli('police', 'fetch', requestId, '--out', out, '--decrypt-p12', join(KEYS, 'police/encryption-A.p12'), '--registry', ENCRYPTED_REGISTRY, ...key(INV), '--gateway', base);
  expect(f.err).toBe('');
  expect(f.code).toBe(0);
  const json = readdirSync(out).filter((n) => /^[0-9a-f-]{36}\.json$/.test(n));
  expect(json).toHaveLength(1);
  return JSON.parse(readFileSync(join(out, json[0]!), 'utf8')) as StatementDoc;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'art50-account-subject-'));
  redis = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  const suiteRedis = process.env.REDIS_URL;
  process.env.REDIS_URL = redis.url;
  try {
    const logs = new PassThrough();
    logs.on('data', (c: Buffer) => logLines.push(c.toString('utf8')));
    t = await startTestGateway({ ART50_REGISTRY: ENCRYPTED_REGISTRY, ART50_SUBJECT_KEY: SECRET }, { logStream: logs });
  } finally {
    process.env.REDIS_URL = suiteRedis;
  }
  base = `https://127.0.0.1:${t.port}`;
  trust = loadClientTrust({ registry: ENCRYPTED_REGISTRY });
});
afterAll(async () => {
  for (const a of apis) a.close();
  trust?.close();
  await t?.stop();
  await redis?.stop();
});

describe('a request by IBAN or card number', () => {
  it('mistyped numbers are refused with their own code, naming the field: by the gateway (422 problem+json) and by police request', async () => {
    for (const [subject, code, field] of [[{ iban: BAD_IBAN }, 'request.iban_checksum', '/subject/iban'], [{ card: BAD_CARD }, 'request.card_checksum', '/subject/card']] as const) {
      const res = await t.as(INV).post('/v1/requests', sign(makeRequest({ subject }), INV));
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code, field, status: 422 });
    }
    const template = join(dir, 'template.json');
    writeFileSync(template, JSON.stringify(makeRequest(), null, 2));
    const bad = await cli('police', 'request', '--template', template, '--card', BAD_CARD, '--out', join(dir, 'bad.json'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('request.card_checksum');
    expect(bad.err).toContain('/subject/card');
    const two = await cli('police', 'request', '--template', template, '--iin', SUBJECT.iin, '--iban', BY_IBAN.iban, '--out', join(dir, 'two.json'));
    expect(two.code).toBe(64);
    // Written as a person types it (groups of four), stored as the schema wants it; the card shown masked.
    const spaced = BY_CARD.card.replace(/(\d{4})(?=\d)/g, '$1 ');
    const ok = await cli('police', 'request', '--template', template, '--card', spaced, '--banks', 'BETAKZKA', '--out', join(dir, 'by-card.json'));
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`card ${MASKED}`);
    expect(ok.out).not.toContain(BY_CARD.card);
    const written = JSON.parse(readFileSync(join(dir, 'by-card.json'), 'utf8')) as RequestDoc;
    expect(written.subject).toEqual({ card: BY_CARD.card });
    expect(written.banks).toEqual(['BETAKZKA']);
    expect(written.case).toEqual(makeRequest().case);
  });

  it('follow builds next hops by IBAN and by card for receivers without an IIN; the bank answers each naming the holder; the log holds keyed hashes only', async () => {
    const alfa = bankFor('ALFAKZKA', coreFor('ALFAKZKA'));
    const beta = bankFor('BETAKZKA', coreFor('BETAKZKA'));
    const parent = makeRequest({ subject: SUBJECT, banks: ['ALFAKZKA'] }) as unknown as RequestDoc;
    const caseFile = join(dir, 'case.json');
    writeFileSync(caseFile, JSON.stringify(parent, null, 2));
    const sub = await cli('police', 'submit', '--request', caseFile, ...key(INV), '--gateway', base, '--json');
    expect(sub.code).toBe(0);
    await sanction(parent.requestId, JSON.parse(sub.out).digest);
    const first = await answeredStatement(alfa, parent.requestId, join(dir, 'statements'));
    expect(first.subject).toEqual({ iin: SUBJECT.iin });
    const counterparties = first.accounts!.flatMap((a) => a.movements ?? []).map((m) => m.counterparty);
    expect(counterparties).toEqual(expect.arrayContaining([{ name: BY_IBAN.name, iban: BY_IBAN.iban, bic: 'BETAKZKA' }, { name: BY_CARD.name, card: BY_CARD.card }]));

    const hopsDir = join(dir, 'hops');
    const follow = await cli('police', 'follow', '--statement', join(dir, 'statements', `${first.statementId}.json`), '--out', hopsDir, '--registry', ENCRYPTED_REGISTRY, '--submit', ...key(INV), '--gateway', base);
    expect(follow.err).toBe('');
    expect(follow.code).toBe(0);
    expect(follow.out).toContain(`IBAN ${BY_IBAN.iban}`);
    expect(follow.out).toContain(`card ${MASKED}`);
    expect(follow.out).not.toContain(BY_CARD.card);
    const files = readdirSync(hopsDir).filter((f) => f.endsWith('.request.json')).sort();
    expect(files).toEqual([`hop-${BY_IBAN.iban}.request.json`, `hop-card-${MASKED.replace(/\*/g, 'x')}.request.json`]);
    const hops = files.map((f) => JSON.parse(readFileSync(join(hopsDir, f), 'utf8')) as RequestDoc);
    expect(hops[0]!.subject).toEqual({ iban: BY_IBAN.iban, name: BY_IBAN.name });
    expect(hops[0]!.banks).toEqual(['BETAKZKA']);
    expect(hops[1]!.subject).toEqual({ card: BY_CARD.card, name: BY_CARD.name });
    // A card number does not say its bank: the hop asks every bank (beta answers found, the others not found).
    expect(hops[1]!.banks).toBe('all');

    for (const [hop, holder] of [[hops[0]!, BY_IBAN], [hops[1]!, BY_CARD]] as const) {
      const status = await t.as(INV).get(`/v1/requests/${hop.requestId}`);
      expect(status.status).toBe(200);
      await sanction(hop.requestId, status.body.digest);
      const s = await answeredStatement(beta, hop.requestId, join(dir, `hop-${holder.key}`));
      expect(s.result).toBe('found');
      expect(s.subject).toEqual({ iin: holder.iin, name: holder.name });
      expect(s.accounts!.map((a) => a.iban)).toHaveLength(1);
    }

    // The log: a keyed hash of "iban:…" / "card:…" stands for the subject, as HMAC of the IIN does for an IIN.
    const subjectKey = deriveSubjectKey(Buffer.from(SECRET, 'base64'));
    const hmac = (text: string): string => createHmac('sha256', subjectKey).update(text, 'utf8').digest('hex');
    const entries = await waitFor(async () => {
      const cp = await t.as('auditor/auditor-1').get('/v1/log/checkpoint');
      if (cp.status !== 200) return undefined;
      const page = await t.as('auditor/auditor-1').get(`/v1/log/entries?start=0&end=${cp.body.treeSize}`);
      const list = (page.body.entries as string[]).map((e) => JSON.parse(e) as { event: string; requestId?: string; subjectKey?: string });
      return hops.every((h) => list.some((e) => e.requestId === h.requestId && e.event === 'request.received')) ? list : undefined;
    }, 'the hops in the log');
    const received = (id: string) => entries.find((e) => e.requestId === id && e.event === 'request.received')!;
    expect(received(parent.requestId).subjectKey).toBe(hmac(SUBJECT.iin));
    expect(received(hops[0]!.requestId).subjectKey).toBe(hmac(`iban:${BY_IBAN.iban}`));
    expect(received(hops[1]!.requestId).subjectKey).toBe(hmac(`card:${BY_CARD.card}`));
    const logText = logLines.join('');
    expect(logText.length).toBeGreaterThan(0);
    for (const secret of [BY_IBAN.iban, BY_CARD.card, BAD_IBAN, BAD_CARD]) expect(logText).not.toContain(secret);

    // Bank secrecy at rest: neither number is in any file Redis wrote, though the search finds what is there.
    const client = new Redis(redis.url);
    try {
      await client.save();
    } finally {
      await client.quit();
    }
    const files2 = filesUnder(redis.dataDir).filter((f) => /\.(aof|rdb)$/.test(f));
    expect(files2.some((f) => f.endsWith('.aof'))).toBe(true);
    expect(files2.some((f) => f.endsWith('.rdb'))).toBe(true);
    const data = Buffer.concat(files2.map((f) => readFileSync(f)));
    expect(data.includes(Buffer.from(hops[1]!.requestId))).toBe(true);
    expect(data.includes(Buffer.from(hmac(`card:${BY_CARD.card}`)))).toBe(true);
    for (const secret of [BY_IBAN.iban, BY_CARD.card, BAD_IBAN, BAD_CARD, SUBJECT.iin, BY_IBAN.iin, BY_CARD.iin]) {
      expect({ secret, found: data.includes(Buffer.from(secret)) }).toEqual({ secret, found: false });
    }
  });
});
