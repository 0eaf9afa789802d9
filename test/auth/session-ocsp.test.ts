import { INV } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { KEYS } from '../support/identities';
import { freePort, OcspResponder, startDemoOcspResponder } from '../support/ocsp-responder';
import { signIn } from '../support/session';

/**
 * A console session checked by OCSP (ART50_REVOCATION_ORDER=ocsp-only, so no CRL can stand in) in
 * a gateway process that has never seen the certificate's status: the process asks the responder
 * before it decides, as it does for a TLS client, instead of ending the session. A responder that
 * cannot be reached refuses the call but does not end the session.
 */
describe('console sessions with OCSP, across gateway processes', () => {
  const ns = `sessocsp${Date.now()}`;
  let responder: OcspResponder;
  let a: TestGateway;
  let b: TestGateway;
  let unreachable: TestGateway;

  beforeAll(async () => {
    responder = await startDemoOcspResponder(KEYS);
    const env = { ART50_NAMESPACE: ns, ART50_REVOCATION_ORDER: 'ocsp-only', ART50_OCSP_URL_OVERRIDE: 'true' };
    a = await startTestGateway({ ...env, ART50_OCSP_URL: responder.url }, { workers: false });
    b = await startTestGateway({ ...env, ART50_OCSP_URL: responder.url }, { workers: false });
    unreachable = await startTestGateway({ ...env, ART50_OCSP_URL: `http://127.0.0.1:${await freePort()}/` }, { workers: false });
  });
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop(), unreachable.stop()]);
    responder.stop();
  });

  it('a session opened in one process is served by another that has no OCSP answer yet', async () => {
    const s = await signIn(a, INV);
    const res = await b.as().get('/v1/auth/session').set('Cookie', s.cookie);
    expect(res.status).toBe(200);
    expect(res.body.participant).toBeDefined();
  });

  it('a responder that cannot be reached refuses the call (503 cause named) and keeps the session', async () => {
    const s = await signIn(a, INV);
    const refused = await unreachable.as().get('/v1/auth/session').set('Cookie', s.cookie);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('auth.client_cert_untrusted');
    expect(refused.body.reason).toBe('cert.ocsp_unavailable');
    expect(refused.headers['set-cookie']).toBeUndefined();
    // The session is still there: a process that can ask the responder serves it.
    expect((await b.as().get('/v1/auth/session').set('Cookie', s.cookie)).status).toBe(200);
  });
});
