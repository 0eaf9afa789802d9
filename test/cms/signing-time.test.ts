import { signCms } from '../../src/cms/sign';
import { verifyCms } from '../../src/cms/verify';
import { makeRequest } from '../support/documents';
import { expectCode } from '../support/expect-code';
import { startTestGateway, TestGateway } from '../support/gateway';
import { signer } from '../support/identities';

const DOC = Buffer.from('{"hello":"world"}');
const YEAR = 365 * 24 * 3600 * 1000;
const signedAt = (at: Date, who = 'police/investigator-1', content = DOC): Buffer => signCms(content, signer(who), { signingTime: at });

/** Issue 12.8: a signing time five years ahead was accepted because the certificate is still valid then. */
describe('signing time in the future', () => {
  it('five years ahead → cms.signing_time_future', () => {
    expectCode(() => verifyCms(signedAt(new Date(Date.now() + 5 * YEAR))), 'cms.signing_time_future');
  });

  it('within the default skew of 300 s is accepted, past it is refused', () => {
    expect(verifyCms(signedAt(new Date(Date.now() + 200_000))).signingTime).toBeInstanceOf(Date);
    expectCode(() => verifyCms(signedAt(new Date(Date.now() + 400_000))), 'cms.signing_time_future');
  });

  it('the caller\'s clock and skew decide', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const der = signedAt(new Date(now.getTime() + 30_000));
    expectCode(() => verifyCms(der, { now, clockSkewSeconds: 10 }), 'cms.signing_time_future');
    expect(verifyCms(der, { now, clockSkewSeconds: 60 }).content.equals(DOC)).toBe(true);
  });

  describe('through the gateway', () => {
    let t: TestGateway;
    beforeAll(async () => {
      t = await startTestGateway({}, { workers: false });
    });
    afterAll(async () => {
      await t.stop();
    });

    it('a request signed five years ahead is refused 400 problem+json', async () => {
      const doc = makeRequest();
      const der = signedAt(new Date(Date.now() + 5 * YEAR), 'police/investigator-1', Buffer.from(JSON.stringify(doc)));
      const res = await t.as('police/investigator-1').post('/v1/requests', der);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('cms.signing_time_future');
    });
  });

  it('the gateway applies ART50_CLOCK_SKEW_SECONDS to signing times', async () => {
    const t = await startTestGateway({ ART50_CLOCK_SKEW_SECONDS: '30' }, { workers: false });
    try {
      const ahead = (ms: number): Buffer => {
        const doc = makeRequest();
        return signedAt(new Date(Date.now() + ms), 'police/investigator-1', Buffer.from(JSON.stringify(doc)));
      };
      expect((await t.as('police/investigator-1').post('/v1/requests', ahead(120_000))).body.code).toBe('cms.signing_time_future');
      expect((await t.as('police/investigator-1').post('/v1/requests', ahead(5_000))).status).toBe(202);
    } finally {
      await t.stop();
    }
  });
});
