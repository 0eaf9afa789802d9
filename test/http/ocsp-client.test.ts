import { makeRequest } from '../support/documents';
import { KEYS, sign } from '../support/identities';
import { startTestGateway, TestGateway } from '../support/gateway';
import { freePort, OcspResponder, startDemoOcspResponder } from '../support/ocsp-responder';

/**
 * The gateway asks OCSP for a TLS client's and a document signer's status before it decides (ART50_REVOCATION_ORDER=
 * ocsp-only, so no CRL can stand in): a real `openssl ocsp` over keys.example/ca/index.txt.
 * The first request of a client is already decided by the responder's answer.
 */
describe('TLS clients checked by OCSP at the gateway', () => {
  let responder: OcspResponder;
  let t: TestGateway;
  beforeAll(async () => {
    responder = await startDemoOcspResponder(KEYS);
    t = await startTestGateway({ ART50_REVOCATION_ORDER: 'ocsp-only', ART50_OCSP_URL: responder.url, ART50_OCSP_URL_OVERRIDE: 'true' }, { workers: false });
  });
  afterAll(async () => {
    await t.stop();
    responder.stop();
  });

  it('a good client is served on its first request', async () => {
    const res = await t.as('police/investigator-1').get('/readyz');
    expect(res.status).toBe(200);
  });
  it('a client the responder says is revoked is refused as revoked', async () => {
    const res = await t.as('police/investigator-revoked').get('/readyz');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.client_cert_revoked');
  });

  it('a request signed by a good signer is accepted; by a signer the responder says is revoked, refused as revoked', async () => {
    const ok = await t.as('police/investigator-1').post('/v1/requests', sign(makeRequest(), 'police/investigator-1'));
    expect(ok.status).toBe(202);
    const refused = await t.as('police/investigator-1').post('/v1/requests', sign(makeRequest(), 'police/investigator-revoked'));
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('cert.revoked');
    expect(refused.body.detail).toMatch(/OCSP/);
  });

  describe('with the responder down', () => {
    let down: TestGateway;
    beforeAll(async () => {
      down = await startTestGateway({ ART50_REVOCATION_ORDER: 'ocsp-only', ART50_OCSP_URL: `http://127.0.0.1:${await freePort()}/`, ART50_OCSP_URL_OVERRIDE: 'true' }, { workers: false });
    });
    afterAll(async () => {
      await down.stop();
    });
    it('fails closed', async () => {
      const res = await down.as('police/investigator-1').get('/readyz');
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('auth.client_cert_untrusted');
      expect(res.body.reason).toBe('cert.ocsp_unavailable');
    });
  });
});
