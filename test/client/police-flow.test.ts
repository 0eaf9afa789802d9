import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCoreFor } from '../../src/demo/core-banking/for-bank';
import { ReferenceBank } from '../../src/bank/reference-bank';
import { ApiClient, ApiError } from '../../src/client/api-client';
import { ClientTrust, loadClientTrust } from '../../src/client/trust';
import { demoMoneyTrail } from '../../src/demo/core-banking/trail';
import type { RequestDoc, StatementDoc } from '../../src/documents/types';
import { makeRequest } from '../support/documents';
import { startTestGateway, TestGateway } from '../support/gateway';
import { sanctionedRequest, waitFor } from '../support/flow';
import { identity, KEYS, ROOT_PEM } from '../support/identities';
import { DEMO_IIN } from '../../src/demo/pki/participants';
import { CliRun, runCli } from '../support/cli';

jest.setTimeout(60_000);
let t: TestGateway;
let base: string;
let trust: ClientTrust;
let dir: string;
const key = (who: string): string[] => ['--cert', join(KEYS, `${who}.pem`), '--key', join(KEYS, `${who}.key`)];

function client(who: string): ApiClient {
  const id = identity(who);
  return new ApiClient({ baseUrl: base, cert: id.certPem, key: id.keyPem, ca: ROOT_PEM() });
}

const cli = (...args: string[]): Promise<CliRun> => runCli(args);

beforeAll(async () => {
  t = await startTestGateway();
  base = `https://127.0.0.1:${t.port}`;
  trust = loadClientTrust();
  dir = mkdtempSync(join(tmpdir(), 'art50-police-'));
});
afterAll(async () => {
  trust.close();
  await t.stop();
});

describe('police → prosecutor → reference bank → police, through the CLI and the public API', () => {
  it('submit, sanction, poll/answer, fetch (.p7s, verified .json, .movements.csv), follow', async () => {
    const doc = makeRequest({ banks: ['ALFAKZKA'] }) as unknown as RequestDoc;
    const reqFile = join(dir, 'case1.json');
    writeFileSync(reqFile, JSON.stringify(doc, null, 2));

    const submit = await cli('police', 'submit', '--request', reqFile, ...key('police/investigator-1'), '--gateway', base);
    expect(submit.err).toBe('');
    expect(submit.code).toBe(0);
    expect(submit.out).toContain(doc.requestId);
    expect(submit.out).toMatch(/state:\s+awaiting_sanction/);
    expect(existsSync(join(dir, 'case1.receipt.p7s'))).toBe(true);
    expect(existsSync(join(dir, 'case1.p7s'))).toBe(true);

    const pending = await cli('prosecutor', 'pending', ...key('prosecutor/prosecutor-1'), '--gateway', base);
    expect(pending.code).toBe(0);
    expect(pending.out).toContain(doc.requestId);
    const shown = await cli('prosecutor', 'show', doc.requestId, ...key('prosecutor/prosecutor-1'), '--gateway', base);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`ERDR ${doc.case.erdrNumber}`);
    expect(shown.out).toContain(`IIN ${doc.subject.iin}`);
    expect(shown.out).toMatch(/banks:\s+ALFAKZKA/);

    const granted = await cli('prosecutor', 'sanction', doc.requestId, '--decision', 'granted', '--reason', 'grounds established', ...key('prosecutor/prosecutor-1'), '--gateway', base);
    expect(granted.err).toBe('');
    expect(granted.code).toBe(0);
    expect(granted.out).toContain('(granted)');
    const decisions = await cli('prosecutor', 'decisions', ...key('prosecutor/prosecutor-1'), '--gateway', base, '--json');
    expect(decisions.code).toBe(0);
    expect(JSON.parse(decisions.out)[0]).toMatchObject({ requestId: doc.requestId, decision: 'granted', reason: 'grounds established' });

    const api = client('banks/ALFAKZKA');
    const data = join(dir, 'bank-data');
    const bank = new ReferenceBank({
      api, identity: identity('banks/ALFAKZKA'), registry: trust.registry, trust,
      core: demoCoreFor(trust.registry, identity('banks/ALFAKZKA').cert), dataDir: data,
    });
    try {
      const outcome = await waitFor(async () => (await bank.pollOnce()).find((o) => o.requestId === doc.requestId), 'the delivery in the ALFA inbox', 30_000);
      expect(outcome.outcome).toBe('answered');
      if (outcome.outcome !== 'answered') return;
      expect(outcome.result).toBe('found');
      expect(readdirSync(join(data, doc.requestId)).sort()).toEqual(expect.arrayContaining(['request.p7s', 'sanction.p7s', 'statement.p7s']));
      // acknowledged: the inbox is empty for it now
      expect((await api.inbox(500)).items.some((i) => i.requestId === doc.requestId)).toBe(false);
    } finally {
      api.close();
    }

    const status = await cli('police', 'status', doc.requestId, ...key('police/investigator-1'), '--gateway', base, '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out).banks[0]).toMatchObject({ bic: 'ALFAKZKA', state: 'answered' });

    // The prosecutor still reads the whole request once decided and answered (no longer pending).
    const decided = await cli('prosecutor', 'show', doc.requestId, ...key('prosecutor/prosecutor-1'), '--gateway', base);
    expect(decided.err).toBe('');
    expect(decided.code).toBe(0);
    expect(decided.out).toContain(`ERDR ${doc.case.erdrNumber}`);
    expect(decided.out).toContain(`IIN ${doc.subject.iin}`);
    expect(decided.out).toMatch(/verdict:\s+signature, certificate path/);
    expect(decided.out).toMatch(/state:\s+completed/);
    expect(decided.out).toMatch(/sanction:\s+granted at \S+ — grounds established/);
    expect(decided.out).toContain('bank ALFAKZKA: answered (found)');
    const decidedJson = JSON.parse((await cli('prosecutor', 'show', doc.requestId, ...key('prosecutor/prosecutor-1'), '--gateway', base, '--json')).out) as Record<string, unknown>;
    expect(decidedJson).toMatchObject({ requestId: doc.requestId, state: 'completed', decision: { decision: 'granted' }, request: { requestId: doc.requestId }, invalid: null });
    // An office that does not supervise the body is told the request does not exist.
    const other = await cli('prosecutor', 'show', doc.requestId, ...key('prosecutor/prosecutor-2'), '--gateway', base);
    expect(other.code).toBe(1);
    expect(other.err).toContain('request.not_found');
    // Auditors read the state, not the document that names the individual.
    const aud = client('auditor/auditor-1');
    const pros = client('prosecutor/prosecutor-1');
    try {
      expect((await aud.status(doc.requestId, { includeRequest: true })).request).toBeUndefined();
      expect((await pros.status(doc.requestId)).request).toBeUndefined();
      expect(typeof (await pros.status(doc.requestId, { includeRequest: true })).request).toBe('string');
    } finally {
      aud.close();
      pros.close();
    }

    const out = join(dir, 'statements');
    const fetched = await cli('police', 'fetch', doc.requestId, '--out', out, ...key('police/investigator-1'), '--gateway', base);
    expect(fetched.err).toBe('');
    expect(fetched.code).toBe(0);
    const p7s = readdirSync(out).filter((f) => /^[0-9a-f-]{36}\.p7s$/.test(f));
    expect(p7s).toHaveLength(1);
    const id = p7s[0]!.slice(0, 36);
    const statement = JSON.parse(readFileSync(join(out, `${id}.json`), 'utf8')) as StatementDoc;
    expect(statement).toMatchObject({ type: 'statement', requestId: doc.requestId, result: 'found', bank: { bic: 'ALFAKZKA' } });
    const csv = readFileSync(join(out, `${id}.movements.csv`));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('iban,bookedAt,amount,currency,counterparty name,counterparty iin/bin,counterparty iban,counterparty bic,purpose,channel,counterparty card');
    const movements = (statement.accounts ?? []).reduce((n, a) => n + (a.movements?.length ?? 0), 0);
    expect(lines).toHaveLength(1 + movements);
    expect(lines.some((l) => l.includes(',-3000000.00,KZT,'))).toBe(true);
    expect(existsSync(join(out, `${id}.receipt.p7s`))).toBe(true);

    // follow the money from the signed statement: the 7 mules of the demo trail
    const hops = join(dir, 'hops');
    const follow = await cli('police', 'follow', '--statement', join(out, `${id}.p7s`), '--out', hops, '--request-template', reqFile);
    expect(follow.err).toBe('');
    expect(follow.code).toBe(0);
    const files = readdirSync(hops).filter((f) => f.endsWith('.request.json'));
    expect(files.map((f) => f.slice(4, 16)).sort()).toEqual([...demoMoneyTrail().muleIins].sort());
    // Every receipt of the request, named for what it proves, each provable.
    const rdir = join(dir, 'receipts');
    const rec = await cli('police', 'receipts', doc.requestId, '--out', rdir, ...key('police/investigator-1'), '--gateway', base, '--json');
    expect(rec.code).toBe(0);
    const names = readdirSync(rdir).sort();
    expect(names[0]).toMatch(/^01-request\.received-log\d+\.p7s$/);
    expect(names.some((n) => /-sanction\.granted-log\d+\.p7s$/.test(n))).toBe(true);
    expect(names.some((n) => /-delivery\.delivered-ALFAKZKA-log\d+\.p7s$/.test(n))).toBe(true);
    expect(names.some((n) => /-statement\.received-ALFAKZKA-log\d+\.p7s$/.test(n))).toBe(true);
    const text = await cli('police', 'status', doc.requestId, ...key('police/investigator-1'), '--gateway', base);
    expect(text.out).toMatch(/delivery\.delivered \(ALFAKZKA\) #\d+/);

    // The documented layout (case1.json, then fetch --out ./statements beside it) needs no template.
    const again = await cli('police', 'follow', '--statement', join(out, `${id}.p7s`), '--hop', '--out', join(dir, 'hops-again'));
    expect(again.err).toBe('');
    expect(again.code).toBe(0);
    expect(readdirSync(join(dir, 'hops-again')).filter((f) => f.endsWith('.request.json'))).toHaveLength(files.length);

    // one next hop submitted and accepted by the gateway
    const hopFile = join(hops, files[0]!);
    const sub = await cli('police', 'submit', '--request', hopFile, ...key('police/investigator-1'), '--gateway', base);
    expect(sub.err).toBe('');
    expect(sub.code).toBe(0);
  });

  it('problem+json answers become ApiError and readable CLI errors', async () => {
    const api = client('police/investigator-1');
    try {
      const e = await api.status('00000000-0000-4000-8000-000000000000').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect(e).toMatchObject({ status: 404, code: 'request.not_found' });
    } finally {
      api.close();
    }
    const r = await cli('police', 'status', '00000000-0000-4000-8000-000000000000', ...key('police/investigator-1'), '--gateway', base);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/status failed: 404 request\.not_found — Request not found: /);
    const wrong = await cli('prosecutor', 'sanction', '00000000-0000-4000-8000-000000000000', '--decision', 'granted', ...key('prosecutor/prosecutor-1'), '--gateway', base);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/not pending/);
  });

  it('art50 bank poll --once answers the inbox and keeps the documents in --data', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['GAMMKZKA'] });
    const requestId = doc.requestId as string;
    const data = join(dir, 'gamma');
    await waitFor(async () => {
      const r = await cli('bank', 'poll', '--once', ...key('banks/GAMMKZKA'), '--gateway', base, '--data', data);
      expect(r.code).toBe(0);
      return r.out.includes(`${requestId}.GAMMKZKA: answered`);
    }, 'bank poll answering', 30_000);
    expect(readdirSync(join(data, requestId)).sort()).toEqual(expect.arrayContaining(['request.p7s', 'sanction.p7s', 'statement.json', 'statement.p7s', 'statement.receipt.p7s']));
  });
});

describe('keys as NCA hands them out, through the CLI', () => {
  it('submits with the AUTH key from --p12 (TLS) and signs with the SIGN key beside it; the prosecutor sanctions with ART50_KEY_PASSWORD', async () => {
    const doc = makeRequest({ banks: ['ALFAKZKA'] }) as unknown as RequestDoc;
    const reqFile = join(dir, 'p12-case.json');
    writeFileSync(reqFile, JSON.stringify(doc, null, 2));
    const pw = join(dir, 'password.txt');
    writeFileSync(pw, 'art50-demo\n');
    const submit = await cli('police', 'submit', '--request', reqFile, '--p12', join(KEYS, 'police/investigator-1.p12'), '--password-file', pw, '--gateway', base);
    expect(submit.err).toBe('');
    expect(submit.code).toBe(0);
    const signed = trust.open(readFileSync(join(dir, 'p12-case.p7s')), 'request');
    expect(signed.signer.fingerprint).toBe(trust.validator.validate(identity('police/investigator-1.sign').cert, { purpose: 'signature' }).fingerprint);
    process.env.ART50_KEY_PASSWORD = 'art50-demo';
    try {
      const granted = await cli('prosecutor', 'sanction', doc.requestId, '--decision', 'granted', '--reason', 'grounds established', '--p12', join(KEYS, 'prosecutor/prosecutor-1.p12'), '--gateway', base);
      expect(granted.err).toBe('');
      expect(granted.code).toBe(0);
    } finally {
      delete process.env.ART50_KEY_PASSWORD;
    }
  });

  it('a head of department who is not the first head is refused: participant.role, exit 1', async () => {
    const doc = makeRequest({ signer: { iin: DEMO_IIN.deputyHead1, name: 'Timur Abenov', position: 'Head of the investigation department' } }) as unknown as RequestDoc;
    const reqFile = join(dir, 'deputy.json');
    writeFileSync(reqFile, JSON.stringify(doc, null, 2));
    const r = await cli('police', 'submit', '--request', reqFile, ...key('police/deputy-head-1'), '--gateway', base);
    expect(r.code).toBe(1);
    expect(r.err).toContain('participant.role');
  });
});
