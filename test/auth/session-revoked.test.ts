import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '../../src/pki/x509';
import { crlPem, importKeyPair, issueCrl } from '../../src/demo/pki/issue';
import { INV, waitFor } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { identity, KEYS } from '../support/identities';
import { signIn } from '../support/session';

/**
 * A console session whose AUTH certificate is revoked while it is open ends at its next call.
 * The gateway reads a changed CRL file within its poll interval (30 s), so this test waits up to that.
 */
jest.setTimeout(90_000);

describe('a session whose certificate is revoked', () => {
  let t: TestGateway;
  let crlFile: string;
  let root: { cert: x509.X509Certificate; key: Awaited<ReturnType<typeof importKeyPair>> };
  const now = Date.now();

  beforeAll(async () => {
    const rootPriv = createPrivateKey(readFileSync(join(KEYS, 'ca/root.key')));
    root = { cert: new x509.X509Certificate(readFileSync(join(KEYS, 'ca/root.pem'))), key: await importKeyPair('rsa2048', rootPriv, createPublicKey(rootPriv)) };
    crlFile = join(mkdtempSync(join(tmpdir(), 'art50-session-crl-')), 'root.crl.pem');
    writeFileSync(crlFile, crlPem(await issueCrl({ issuer: root, revokedSerials: [], thisUpdate: new Date(now - 60_000), nextUpdate: new Date(now + 86_400_000), crlNumber: 1000 })));
    t = await startTestGateway({ ART50_CRL: crlFile, ART50_REVOCATION_ORDER: 'crl-only' }, { workers: false });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('is refused with auth.client_cert_revoked at its next call, and is gone after that', async () => {
    const s = await signIn(t, INV);
    expect((await t.as().get('/v1/auth/session').set('Cookie', s.cookie)).status).toBe(200);
    const serial = identity(INV).cert.serialNumber;
    writeFileSync(crlFile, crlPem(await issueCrl({ issuer: root, revokedSerials: [serial], thisUpdate: new Date(), nextUpdate: new Date(now + 86_400_000), crlNumber: 1001 })));
    const refused = await waitFor(async () => {
      const r = await t.as().get('/v1/auth/session').set('Cookie', s.cookie);
      return r.status === 403 ? r : undefined;
    }, 'the new CRL to be read', 45_000);
    expect(refused.body.code).toBe('auth.client_cert_revoked');
    const after = await t.as().get('/v1/auth/session').set('Cookie', s.cookie);
    expect([after.status, after.body.code]).toEqual([401, 'auth.session_invalid']);
  });
});
