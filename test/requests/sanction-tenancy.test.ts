import { DEMO_BIN, DEMO_IIN } from '../../src/demo/pki/participants';
import { makeRequest, makeSanction } from '../support/documents';
import { startTestGateway, TestGateway } from '../support/gateway';
import { sign } from '../support/identities';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({}, { workers: false });
});
afterAll(async () => {
  await t.stop();
});

const INV = 'police/investigator-1';
const P1 = 'prosecutor/prosecutor-1';
const P2 = 'prosecutor/prosecutor-2';

async function pending(): Promise<{ doc: Record<string, unknown>; digest: string }> {
  const doc = makeRequest();
  const res = await t.as(INV).post('/v1/requests', sign(doc, INV));
  expect(res.status).toBe(202);
  return { doc, digest: res.body.digest };
}
const post = (id: unknown, der: Buffer, client: string) => t.as(client).post(`/v1/requests/${id}/sanction`, der);

/**
 * Issue 12.4: the client of a sanction must be the supervising prosecutor's office or the
 * requesting body; to every other client the request does not exist, exactly as GET answers.
 */
describe('sanction tenancy', () => {
  it('prosecutor-2\'s office posting a sanction validly signed by prosecutor-1: 404, nothing recorded', async () => {
    const { doc, digest } = await pending();
    const der = sign(makeSanction(doc, digest), P1);
    const s = await post(doc.requestId, der, P2);
    expect(s.status).toBe(404);
    expect(s.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(s.body.code).toBe('request.not_found');
    expect(s.body).not.toHaveProperty('receipt');
    const status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    expect(status.body.state).toBe('awaiting_sanction');
  });

  it('a replay of the recorded sanction by another office gets 404, not the receipt and live state', async () => {
    const { doc, digest } = await pending();
    const der = sign(makeSanction(doc, digest), P1);
    expect((await post(doc.requestId, der, P1)).status).toBe(201);
    expect((await post(doc.requestId, der, P1)).status).toBe(200); // the supervising office's retry
    const replay = await post(doc.requestId, der, P2);
    expect(replay.status).toBe(404);
    expect(replay.body.code).toBe('request.not_found');
    expect(JSON.stringify(replay.body)).not.toContain(digest);
  });

  it('the answer to another office is the same for an existing and an unknown request id', async () => {
    const { doc, digest } = await pending();
    const own = sign(makeSanction(doc, digest, { prosecutor: { iin: DEMO_IIN.prosecutor2, bin: DEMO_BIN.officeB } }), P2);
    const existing = await post(doc.requestId, own, P2);
    const unknown = await post('00000000-0000-4000-8000-000000000000', own, P2);
    expect([existing.status, existing.body.code]).toEqual([404, 'request.not_found']);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'request.not_found']);
    const get = await t.as(P2).get(`/v1/requests/${doc.requestId}`);
    expect([get.status, get.body.code]).toEqual([404, 'request.not_found']);
  });

  it('the supervising office relaying a sanction signed by a non-supervising prosecutor: 403 not_supervising', async () => {
    const { doc, digest } = await pending();
    const der = sign(makeSanction(doc, digest, { prosecutor: { iin: DEMO_IIN.prosecutor2, bin: DEMO_BIN.officeB } }), P2);
    const s = await post(doc.requestId, der, P1);
    expect(s.status).toBe(403);
    expect(s.body.code).toBe('participant.not_supervising');
  });

  it('another body\'s police system: 404', async () => {
    const { doc, digest } = await pending();
    const s = await post(doc.requestId, sign(makeSanction(doc, digest), P1), 'police/investigator-2');
    expect([s.status, s.body.code]).toEqual([404, 'request.not_found']);
  });
});
