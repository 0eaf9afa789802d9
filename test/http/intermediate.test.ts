import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import * as x509 from '../../src/pki/x509';
import { crlPem, EKU, generateKey, importKeyPair, issueCertificate, issueCrl, KU, privateKeyPem } from '../../src/demo/pki/issue';
import { DEMO_BIN, DEMO_IIN } from '../../src/demo/pki/participants';
import { startTestGateway, TestGateway } from '../support/gateway';
import { KEYS } from '../support/identities';

/**
 * A national CA is two-tier (root → issuing CA). A client certificate from the issuing CA is
 * accepted when the client sends the intermediate in the TLS handshake, and the intermediate's
 * own CRL is honoured.
 */
describe('client certificates under an intermediate CA', () => {
  let t: TestGateway;
  let leafPem: string;
  let leafKey: string;
  let chainPem: string;
  const now = Date.now();

  beforeAll(async () => {
    const rootPem = readFileSync(join(KEYS, 'ca/root.pem'));
    const rootPriv = createPrivateKey(readFileSync(join(KEYS, 'ca/root.key')));
    const root = { cert: new x509.X509Certificate(rootPem), key: await importKeyPair('rsa2048', rootPriv, createPublicKey(rootPriv)) };
    const caKey = await generateKey('p256');
    const ca = await issueCertificate({ subject: { cn: 'Demo NCA RK Issuing CA', c: 'KZ' }, subjectKey: caKey, issuer: root, notBefore: new Date(now - 3600_000), notAfter: new Date(now + 86_400_000), ca: { pathLength: 0 } });
    const key = await generateKey('p256');
    const leaf = await issueCertificate({
      subject: { cn: 'Aibek Nurlanov', serialNumber: `IIN${DEMO_IIN.investigator1}`, ou: `BIN${DEMO_BIN.bodyA}`, c: 'KZ' }, subjectKey: key,
      issuer: { cert: ca, key: caKey }, notBefore: new Date(now - 3600_000), notAfter: new Date(now + 86_400_000),
      keyUsages: KU.digitalSignature | KU.nonRepudiation, extKeyUsages: [EKU.clientAuth],
    });
    const crl = await issueCrl({ issuer: { cert: ca, key: caKey }, revokedSerials: [], thisUpdate: new Date(now - 60_000), nextUpdate: new Date(now + 86_400_000), crlNumber: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'art50-int-'));
    writeFileSync(join(dir, 'issuing.crl.pem'), crlPem(crl));
    leafPem = leaf.toString('pem');
    leafKey = privateKeyPem(key);
    chainPem = `${leafPem}\n${ca.toString('pem')}\n`;
    t = await startTestGateway({ ART50_CRL: `${join(KEYS, 'ca/crl.pem')},${join(dir, 'issuing.crl.pem')}` }, { workers: false });
  });
  afterAll(async () => {
    await t.stop();
  });

  const readyz = (cert: string) => request(`https://127.0.0.1:${t.port}`).get('/readyz').ca(readFileSync(join(KEYS, 'ca/root.pem'))).cert(cert).key(leafKey);

  it('is refused without it (the gateway cannot build the path)', async () => {
    const res = await readyz(leafPem);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.client_cert_untrusted');
  });
  // After one successful path, the validation cache knows the leaf (same fingerprint, same CRLs).
  it('is accepted with the intermediate sent in the handshake', async () => {
    const res = await readyz(chainPem);
    expect(res.status).toBe(200);
    expect(res.body.client.roles).toEqual(['investigator']);
  });

});
