import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinSealedUpload, sealStatement } from '../../src/statements/sealed';
import { completeCardNumber } from '../../src/documents/check-digits';
import { reasonText } from '../../src/client/refusal';
import { sanctionedRequest, waitFor } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { ENCRYPTED_REGISTRY, KEYS, sign, signer } from '../support/identities';
import { delivered, makeStatement, refusal } from '../statements/helpers';
import { CliRun, runCli } from '../support/cli';

/**
 * A bank's refusal reason reaches the investigator (issue 17.4). The statement, reason included,
 * is encrypted to the requesting body, so the gateway's status has the result only: `police status`
 * says so and how to read the reason; `police fetch` decrypts and prints it per bank; `police status
 * --statements DIR` then shows it from the fetched statement. A card number in it stays masked.
 */

jest.setTimeout(60_000);
let t: TestGateway;
let dir: string;
const key = (who: string): string[] => ['--cert', join(KEYS, `${who}.pem`), '--key', join(KEYS, `${who}.key`)];
const certA = new X509Certificate(readFileSync(join(KEYS, 'police/encryption-A.pem')));

const cli = (...args: string[]): Promise<CliRun> => runCli(args, { keyPassword: 'art50-demo' });

/** The bank signs its statement and encrypts it to body A's certificate, as the reference bank does. */
async function answer(bic: string, statement: Record<string, unknown>): Promise<void> {
  const sealed = sealStatement({ signed: sign(statement, `banks/${bic}`), recipient: certA, signer: signer(`banks/${bic}`) });
  const res = await t.as(`banks/${bic}`).post('/v1/statements', joinSealedUpload(sealed));
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  t = await startTestGateway({ ART50_REGISTRY: ENCRYPTED_REGISTRY });
  dir = mkdtempSync(join(tmpdir(), 'art50-refusal-'));
});
afterAll(async () => {
  await t.stop();
});

describe('a bank refusal reason, from the encrypted statement to the investigator', () => {
  it('status says where the reason is; fetch decrypts and prints it per bank; status --statements shows it; card numbers masked', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA', 'BETAKZKA'] });
    await delivered(t, 'ALFAKZKA', doc.requestId);
    await delivered(t, 'BETAKZKA', doc.requestId);
    const card = completeCardNumber('440043012345678');
    const grouped = `${card.slice(0, 4)} ${card.slice(4, 8)} ${card.slice(8, 12)} ${card.slice(12)}`;
    const masked = `${card.slice(0, 6)}******${card.slice(-4)}`;
    await answer('ALFAKZKA', refusal(doc, digest, 'ALFAKZKA', `Card ${grouped} is held by a protected person;\nthe bank asks the prosecutor to confirm`));
    await answer('BETAKZKA', makeStatement(doc, digest, 'BETAKZKA', {}, []));
    const base = `https://127.0.0.1:${t.port}`;
    const conn = [...key('police/investigator-1'), '--gateway', base];
    const requestId = String(doc.requestId);
    await waitFor(async () => (await t.as('police/investigator-1').get(`/v1/requests/${requestId}`)).body.banks.every((b: { result?: string }) => b.result), 'both answers recorded');

    // Before fetching: the result per bank, and for the refusal how to read its reason.
    const before = await cli('police', 'status', requestId, ...conn);
    expect(before.code).toBe(0);
    expect(before.out).toMatch(/ALFAKZKA\s+refused_by_bank\s+refused/);
    expect(before.out).toMatch(/BETAKZKA\s+answered\s+not_found/);
    expect(before.out).toContain(`ALFAKZKA refused: the reason is in the bank's statement, readable only by your body: art50 police fetch ${requestId} --out DIR prints it`);
    expect(before.out).not.toContain('protected person');

    const out = join(dir, 'statements');
    const fetched = await cli('police', 'fetch', requestId, '--out', out, ...conn, '--decrypt-p12', join(KEYS, 'police/encryption-A.p12'));
    expect(fetched.err).toBe('');
    expect(fetched.code).toBe(0);
    expect(fetched.out).toMatch(/ALFAKZKA\s+refused/);
    expect(fetched.out).toMatch(/BETAKZKA\s+not_found/);
    expect(fetched.out).toMatch(new RegExp(`ALFAKZKA refused \\(statement [0-9a-f-]{36}\\): Card ${masked.replace(/\*/g, '\\*')} is held by a protected person; the bank asks the prosecutor to confirm\\n`));
    expect(fetched.out).not.toContain(card.slice(6, 12));
    const json = JSON.parse((await cli('police', 'fetch', requestId, '--out', join(dir, 'again'), ...conn, '--decrypt-p12', join(KEYS, 'police/encryption-A.p12'), '--json')).out) as { written: Array<{ bank: string; result: string; reason?: string }> };
    expect(json.written.find((w) => w.bank === 'ALFAKZKA')).toMatchObject({ result: 'refused', reason: `Card ${masked} is held by a protected person; the bank asks the prosecutor to confirm` });
    expect(json.written.find((w) => w.bank === 'BETAKZKA')?.reason).toBeUndefined();

    // After fetching: status reads the reason from the verified statement fetch wrote.
    const after = await cli('police', 'status', requestId, ...conn, '--statements', out);
    expect(after.code).toBe(0);
    expect(after.out).toContain(`ALFAKZKA refused: Card ${masked} is held by a protected person; the bank asks the prosecutor to confirm (from its statement fetched to ${out})`);
    const afterJson = JSON.parse((await cli('police', 'status', requestId, ...conn, '--statements', out, '--json')).out) as { banks: Array<{ bic: string; reason?: string }> };
    expect(afterJson.banks.find((b) => b.bic === 'ALFAKZKA')?.reason).toContain(masked);
    expect(afterJson.banks.find((b) => b.bic === 'BETAKZKA')?.reason).toBeUndefined();
    // A directory without the statement: still honest about where the reason is.
    const elsewhere = await cli('police', 'status', requestId, ...conn, '--statements', join(dir, 'empty'));
    expect(elsewhere.out).toContain(`(not found in ${join(dir, 'empty')})`);
  });
});

describe('reasonText', () => {
  const card = completeCardNumber('440043012345678');
  it('masks a card number next to other digits too, grouped or not, and keeps the reason on one line', () => {
    for (const [reason, shown] of [
      [`card ${card} 250 KZT`, `card ${card.slice(0, 6)}`],
      [`${card.replace(/(\d{4})(?=\d)/g, '$1 ')} 12 times`, card.slice(0, 6)],
      [`cards ${card} ${card}`, card.slice(0, 6)],
      [`${card} 2024-05`, card.slice(0, 6)],
    ] as const) {
      const text = reasonText(reason);
      expect(text).not.toContain(card);
      expect(text).not.toContain(card.slice(6, 12));
      expect(text).toContain(shown);
    }
    expect(reasonText('line one\nline two\u001b[2J')).toBe('line one line two [2J');
    // Short numbers (amounts, dates) stay as they are.
    expect(reasonText('250000 KZT on 2024-05-01')).toBe('250000 KZT on 2024-05-01');
  });
});
