import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signCms } from '../../src/cms/sign';
import { loadKeyFile } from '../../src/pki/key-file';
import { DEMO_BIN, DEMO_IIN } from '../../src/demo/pki/participants';
import { requestSignerRole } from '../../src/participants/request-signer';
import type { Participant } from '../../src/participants/types';
import { expectCode } from '../support/expect-code';
import { headSigner, makeRequest, makeSanction } from '../support/documents';
import { waitFor } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { identity, KEYS, sign, signer } from '../support/identities';

/**
 * Who may sign a request under Art. 50 para 7 b, as NCA RK certificates and the registry say it;
 * GOST R 34.10-2012 signatures from stock OpenSSL (gost engine) and from art50 itself.
 */

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.stop();
});

const INV = 'police/investigator-1';
const GOST = 'police/investigator-gost';
const dir = mkdtempSync(join(tmpdir(), 'art50-nca-'));
const gostSigner = { iin: DEMO_IIN.investigatorGost, name: 'Nurlan Gostov', position: 'Investigator' };

async function logEntries(): Promise<Array<Record<string, unknown>>> {
  const cp = await waitFor(async () => {
    const r = await t.as('auditor/auditor-1').get('/v1/log/checkpoint');
    return r.status === 200 ? r.body : undefined;
  }, 'a checkpoint');
  const out: Array<Record<string, unknown>> = [];
  for (let start = 0; start < cp.treeSize;) {
    const page = await t.as('auditor/auditor-1').get(`/v1/log/entries?start=${start}&end=${cp.treeSize}`);
    out.push(...(page.body.entries as string[]).map((e) => JSON.parse(e) as Record<string, unknown>));
    start = page.body.end;
  }
  return out;
}

/** `openssl cms -sign` of `json` with a keys.example key; GOST keys through the gost engine and Streebog. */
function opensslSign(json: Buffer, who: string, md: string): Buffer {
  const n = `${who.replace(/\W/g, '_')}-${Date.now()}-${Math.random()}`;
  writeFileSync(join(dir, `${n}.json`), json);
  const engine = md.startsWith('md_gost') ? ['-engine', 'gost'] : [];
  execFileSync('openssl', ['cms', ...engine, '-sign', '-nodetach', '-binary', '-md', md, '-outform', 'DER', '-in', join(dir, `${n}.json`), '-out', join(dir, `${n}.p7s`), '-signer', signer(who).certPath, '-inkey', signer(who).keyPath], { stdio: 'pipe' });
  return readFileSync(join(dir, `${n}.p7s`));
}

describe('the first head (Art. 50 para 7 b)', () => {
  it('accepts a request signed by the first head: registry role first_head and NCA EKU 1.2.398.3.3.4.1.2.1; logged with role first_head', async () => {
    const doc = makeRequest({ signer: headSigner() });
    const res = await t.as('police/head-1').post('/v1/requests', sign(doc, 'police/head-1'));
    expect(res.status).toBe(202);
    const entry = await waitFor(async () => (await logEntries()).find((e) => e.requestId === doc.requestId), 'the request in the log');
    expect(entry).toMatchObject({ event: 'request.received', actor: { role: 'first_head' } });
  });

  it('refuses a head of department who is not the first head (participant.role, problem+json) and logs the refusal', async () => {
    const doc = makeRequest({ signer: { iin: DEMO_IIN.deputyHead1, name: 'Timur Abenov', position: 'Head of the investigation department' } });
    const der = sign(doc, 'police/deputy-head-1');
    const res = await t.as('police/deputy-head-1').post('/v1/requests', der);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('participant.role');
    expect(res.body.detail).toMatch(/first head/);
    const digest = (await import('node:crypto')).createHash('sha256').update(JSON.stringify(doc)).digest('hex');
    const refused = await waitFor(async () => (await logEntries()).find((e) => e.event === 'request.refused' && (e.digests as { request?: string } | undefined)?.request === digest), 'the refusal in the log');
    expect(refused).toMatchObject({ code: 'participant.role', actor: { role: 'head' } });
    expect((await t.as('police/deputy-head-1').get(`/v1/requests/${doc.requestId}`)).status).toBe(404);
  });

  it('refuses a registry first head whose certificate lacks the first-head EKU', () => {
    const deputy = identity('police/deputy-head-1.sign').cert;
    const participant: Participant = {
      organisation: { bin: DEMO_BIN.bodyA, kind: 'police', name: 'A' },
      person: { iin: DEMO_IIN.deputyHead1, name: 'Timur Abenov', organisation: DEMO_BIN.bodyA, roles: ['first_head'] },
      roles: ['first_head'],
    };
    expectCode(() => requestSignerRole(participant, deputy), 'participant.role');
    expect(requestSignerRole(participant, identity('police/head-1.sign').cert)).toBe('first_head');
    expect(requestSignerRole({ ...participant, roles: ['investigator'] }, deputy)).toBe('investigator');
  });

  it('refuses a document signed with the AUTH key (clientAuth, no emailProtection): cert.key_usage', async () => {
    const res = await t.as(INV).post('/v1/requests', signCms(Buffer.from(JSON.stringify(makeRequest())), identity(INV)));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('cert.key_usage');
  });
});

describe('GOST R 34.10-2012 signatures', () => {
  it('accepts a request signed by stock openssl cms -engine gost -md md_gost12_256, and its sanction', async () => {
    const doc = makeRequest({ signer: gostSigner });
    const res = await t.as(GOST).post('/v1/requests', opensslSign(Buffer.from(JSON.stringify(doc)), GOST, 'md_gost12_256'));
    expect(res.status).toBe(202);
    const s = await t.as('prosecutor/prosecutor-1').post(`/v1/requests/${doc.requestId}/sanction`, sign(makeSanction(doc, res.body.digest), 'prosecutor/prosecutor-1'));
    expect(s.status).toBe(201);
  });

  it('accepts a request art50 signs with the GOST key from its PKCS#12 file; openssl -engine gost verifies the same bytes', async () => {
    const { key, certificates } = loadKeyFile(readFileSync(join(KEYS, `${GOST}.sign.p12`)), `${GOST}.sign.p12`, () => 'art50-demo');
    const doc = makeRequest({ signer: gostSigner });
    const der = signCms(Buffer.from(JSON.stringify(doc)), { key, cert: certificates[0] as X509Certificate });
    writeFileSync(join(dir, 'art50-gost.p7s'), der);
    const out = execFileSync('openssl', ['cms', '-engine', 'gost', '-verify', '-inform', 'DER', '-in', join(dir, 'art50-gost.p7s'), '-CAfile', join(KEYS, 'ca/root.pem'), '-binary'], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.toString()).toBe(JSON.stringify(doc));
    expect((await t.as(GOST).post('/v1/requests', der)).status).toBe(202);
  });

  it('refuses a tampered GOST signature: cms.signature_invalid', async () => {
    const doc = makeRequest({ signer: gostSigner });
    const der = sign(doc, GOST);
    der[der.length - 5] ^= 0x01; // inside the signature value at the end of the SignerInfo
    const res = await t.as(GOST).post('/v1/requests', der);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.code).toBe('cms.signature_invalid');
  });
});

describe('algorithms outside the suites', () => {
  it('a SHA-1 digest is refused before any crypto runs: 422 cms.unsupported_algorithm, problem+json', async () => {
    const res = await t.as(INV).post('/v1/requests', opensslSign(Buffer.from(JSON.stringify(makeRequest())), INV, 'sha1'));
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('cms.unsupported_algorithm');
  });
});
