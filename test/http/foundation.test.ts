import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, issueCertificate, KU, EKU, privateKeyPem } from '../../src/demo/pki/issue';
import { createAjv } from '../../src/documents/ajv';
import { parseRegistry } from '../../src/participants/registry';
import { Art50Error } from '../../src/errors';
import { KEYS } from '../support/identities';
import { startTestGateway, TestGateway } from '../support/gateway';
import request from 'supertest';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.stop();
});

describe('HTTPS with client certificates', () => {
  it('serves /healthz without a certificate', async () => {
    const res = await t.as().get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz for a registered participant (Redis is reachable)', async () => {
    const res = await t.as('police/investigator-1').get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.client.roles).toEqual(['investigator']);
  });

  it.each([
    [undefined, 401, 'auth.client_cert_missing'],
    ['police/investigator-revoked', 403, 'auth.client_cert_revoked'],
    ['police/investigator-expired', 403, 'auth.client_cert_expired'],
  ])('refuses /readyz for %s with problem+json', async (who, status, code) => {
    const res = await t.as(who).get('/readyz');
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code, type: `urn:art50:problem:${code}` });
    expect(typeof res.body.detail).toBe('string');
  });

  it('refuses a client certificate from a foreign CA', async () => {
    const caKey = await generateKey('p256');
    const ca = await issueCertificate({ subject: { cn: 'Foreign Root' }, subjectKey: caKey, notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 3600_000), ca: {} });
    const leafKey = await generateKey('p256');
    const leaf = await issueCertificate({
      subject: { cn: 'Aibek Nurlanov', serialNumber: 'IIN850315300128', ou: 'BIN990440000127' }, subjectKey: leafKey, issuer: { cert: ca, key: caKey },
      notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 3600_000), keyUsages: KU.digitalSignature, extKeyUsages: [EKU.clientAuth],
    });
    const res = await request(`https://127.0.0.1:${t.port}`).get('/readyz').ca(readFileSync(join(KEYS, 'ca/root.pem'))).cert(leaf.toString('pem')).key(privateKeyPem(leafKey));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.client_cert_untrusted');
  });

  it('answers unknown routes and bad bodies with problem+json, never a stack trace', async () => {
    const res = await t.as('police/investigator-1').get('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('http.not_found');
    const bad = await t.as('police/investigator-1').post('/v1/requests', Buffer.from('{"a":'), 'application/json');
    expect(bad.status).toBe(415);
    expect(bad.body.code).toBe('http.unsupported_media_type');
    expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers a path with broken percent-encoding with 400, not 500', async () => {
    for (const path of ['/v1/requests/%E0%A4%A', '/v1/statements/%ZZ']) {
      const res = await t.as('police/investigator-1').get(path);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('http.bad_request');
    }
  });

  it('an upper-case or version-0 requestId is refused at intake, so every accepted id can be read back', async () => {
    const { makeRequest } = await import('../support/documents');
    const { sign } = await import('../support/identities');
    const upper = makeRequest();
    upper.requestId = String(upper.requestId).toUpperCase();
    const res = await t.as('police/investigator-1').post('/v1/requests', sign(upper, 'police/investigator-1'));
    expect(res.status).toBe(422);
    expect(res.body.field).toBe('/requestId');
    const zero = await t.as('police/investigator-1').post('/v1/requests', sign(makeRequest({ requestId: '00000000-0000-0000-0000-000000000001' }), 'police/investigator-1'));
    expect(zero.status).toBe(422);
  });
});

describe('participant registry', () => {
  const good = JSON.parse(readFileSync(join(KEYS, 'participants.json'), 'utf8'));
  it('loads keys.example/participants.json', () => {
    const reg = parseRegistry(createAjv(), good);
    expect(reg.banks().map((b) => b.bic).sort()).toEqual(['ALFAKZKA', 'BETAKZKA', 'GAMMKZKA']);
  });

  it.each([
    ['a BIN with a wrong control digit', (f: any) => { f.organisations[1].bin = '990440000128'; }, '/organisations/1/bin'],
    ['a missing name', (f: any) => { delete f.people[0].name; }, '/people/0/name'],
    ['an unknown role', (f: any) => { f.people[0].roles = ['chief']; }, '/people/0/roles/0'],
    ['a bank without BIC', (f: any) => { const b = f.organisations.find((o: any) => o.kind === 'bank'); delete b.bic; }, '/bic'],
  ])('refuses %s naming the field', (_what, mutate, field) => {
    const broken = JSON.parse(JSON.stringify(good));
    mutate(broken);
    let err: unknown;
    try { parseRegistry(createAjv(), broken); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(Art50Error);
    expect((err as Art50Error).code).toBe('registry.invalid');
    expect(`${(err as Art50Error).field} ${(err as Art50Error).detail}`).toContain(field);
  });

  it('refuses to start with a broken registry file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'art50-reg-'));
    const broken = { ...good, people: [{ ...good.people[0], iin: '123' }] };
    writeFileSync(join(dir, 'p.json'), JSON.stringify(broken));
    await expect(startTestGateway({ ART50_REGISTRY: join(dir, 'p.json') })).rejects.toThrow(/people\/0\/iin/);
  });
});
