import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryRejected } from '../../src/bank/delivery-check';
import { demoCoreFor } from '../../src/demo/core-banking/for-bank';
import { ReferenceBank } from '../../src/bank/reference-bank';
import { ApiClient } from '../../src/client/api-client';
import { ClientTrust, loadClientTrust } from '../../src/client/trust';
import type { DeliveryBundle } from '../../src/delivery/bundle';
import { sanctionedRequest, waitFor } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { ENCRYPTED_REGISTRY, identity, KEYS, ROOT_PEM } from '../support/identities';
import { CliRun, runCli } from '../support/cli';

/**
 * The reference bank and `art50 police fetch` with encrypted statements (issue 14.1): the bank
 * encrypts to the certificate the bundle hands over (after checking it), the investigator's CLI
 * decrypts with the body's PKCS#12 key, verifies and writes; without the key, or with another
 * body's, nothing is written.
 */

jest.setTimeout(60_000);
let t: TestGateway;
let trust: ClientTrust;
let dir: string;
const apis: ApiClient[] = [];
const ALFA = 'banks/ALFAKZKA';
const key = (who: string): string[] => ['--cert', join(KEYS, `${who}.pem`), '--key', join(KEYS, `${who}.key`)];

const cli = (...args: string[]): Promise<CliRun> => runCli(args, { keyPassword: 'art50-demo' });

function bank(): ReferenceBank {
  const id = identity(ALFA);
  const api = new ApiClient({ baseUrl: `https://127.0.0.1:${t.port}`, cert: id.certPem, key: id.keyPem, ca: ROOT_PEM() });
  apis.push(api);
  return new ReferenceBank({ api, identity: id, registry: trust.registry, trust, core: demoCoreFor(trust.registry, id.cert) });
}

beforeAll(async () => {
  t = await startTestGateway({ ART50_REGISTRY: ENCRYPTED_REGISTRY });
  trust = loadClientTrust({ registry: ENCRYPTED_REGISTRY });
  dir = mkdtempSync(join(tmpdir(), 'art50-encfetch-'));
});
afterAll(async () => {
  for (const a of apis) a.close();
  trust.close();
  await t.stop();
});

describe('encrypted statements from the reference bank to police fetch', () => {
  it('the bank encrypts; fetch --decrypt-p12 decrypts, verifies and writes .p7s, .json, .p7e, .header.p7s; without the key or with body B\'s, nothing is written', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const alfa = bank();
    const outcomes = await waitFor(async () => {
      const r = await alfa.pollOnce();
      return r.some((x) => x.requestId === doc.requestId) ? r : undefined;
    }, 'ALFAKZKA answers');
    const mine = outcomes.find((x) => x.requestId === doc.requestId)!;
    expect(mine).toMatchObject({ outcome: 'answered' });
    const stmtId = (mine as { statementId: string }).statementId;
    const stored = await t.gw.redis.hgetBuffer(t.gw.keys.statement(stmtId), 'header');
    expect(stored).not.toBeNull();

    const noKey = await cli('police', 'fetch', String(doc.requestId), '--out', join(dir, 'nokey'), ...key('police/investigator-1'), '--gateway', `https://127.0.0.1:${t.port}`);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toContain('cms.decrypt_failed');
    expect(existsSync(join(dir, 'nokey', `${stmtId}.json`))).toBe(false);

    const wrongKey = await cli('police', 'fetch', String(doc.requestId), '--out', join(dir, 'wrong'), ...key('police/investigator-1'), '--gateway', `https://127.0.0.1:${t.port}`,
      '--decrypt-p12', join(KEYS, 'police/encryption-B.p12'));
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.err).toContain('statement.wrong_recipient');
    expect(existsSync(join(dir, 'wrong', `${stmtId}.json`))).toBe(false);

    const ok = await cli('police', 'fetch', String(doc.requestId), '--out', join(dir, 'ok'), ...key('police/investigator-1'), '--gateway', `https://127.0.0.1:${t.port}`,
      '--decrypt-p12', join(KEYS, 'police/encryption-A.p12'));
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(stmtId);
    const json = JSON.parse(readFileSync(join(dir, 'ok', `${stmtId}.json`), 'utf8')) as { requestId: string; statementId: string };
    expect(json).toMatchObject({ requestId: doc.requestId, statementId: stmtId });
    for (const ext of ['p7s', 'p7e', 'header.p7s', 'movements.csv', 'receipt.p7s']) expect(existsSync(join(dir, 'ok', `${stmtId}.${ext}`))).toBe(true);
    // The written .p7s is the bank's signed statement (what the ciphertext held); the .p7e is what the gateway stored.
    const ciphertext = readFileSync(join(dir, 'ok', `${stmtId}.p7e`));
    expect(ciphertext.equals((await t.gw.redis.hgetBuffer(t.gw.keys.statement(stmtId), 'cms'))!)).toBe(true);
    expect(trust.open(readFileSync(join(dir, 'ok', `${stmtId}.p7s`)), 'statement').doc.statementId).toBe(stmtId);
  });

  it('the bank refuses a bundle whose encryption certificate is not the requesting body\'s', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const id = identity(ALFA);
    const api = new ApiClient({ baseUrl: `https://127.0.0.1:${t.port}`, cert: id.certPem, key: id.keyPem, ca: ROOT_PEM() });
    const item = await waitFor(async () => (await api.inbox(500)).items.find((i) => i.requestId === doc.requestId), 'delivery');
    const alfa = bank();
    expect(alfa.verify(item).recipient?.fingerprint256).toBe(identity('police/encryption-A').cert.fingerprint256);
    const swap = (cert: string): DeliveryBundle => ({ ...item, encryptionCertificate: readFileSync(join(KEYS, `${cert}.pem`), 'utf8').replace(/-----[A-Z ]+-----|\s/g, '') });
    for (const [cert, why] of [['police/encryption-B', /not to the requesting body/], ['police/investigator-1.sign', /keyEncipherment|requesting body/], ['banks/BETAKZKA', /keyEncipherment|requesting body/]] as const) {
      let thrown: unknown;
      try {
        alfa.verify(swap(cert));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(DeliveryRejected);
      expect((thrown as DeliveryRejected).code).toBe('bundle.encryption_certificate');
      expect((thrown as DeliveryRejected).detail).toMatch(why);
    }
    api.close();
  });
});
