import request from 'supertest';
import { startTestGateway, TestGateway } from '../support/gateway';
import { identity, ROOT_PEM } from '../support/identities';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({}, { workers: false });
});
afterAll(async () => {
  await t.stop();
});

const ID = '00000000-0000-4000-8000-000000000000';
const call = (method: 'put' | 'delete' | 'patch' | 'get' | 'post', path: string, who = 'police/investigator-1') => {
  const id = identity(who);
  return request(`https://127.0.0.1:${t.port}`)[method](path).ca(ROOT_PEM()).cert(id.certPem).key(id.keyPem);
};

/** Issue 12.9: docs/errors.md promised 405 for a known path with another method; it was 404. */
describe('405 http.method_not_allowed', () => {
  it.each([
    ['put', '/v1/requests', 'GET, HEAD, POST'],
    ['delete', '/v1/requests', 'GET, HEAD, POST'],
    ['patch', `/v1/requests/${ID}`, 'GET, HEAD'],
    ['delete', `/v1/requests/${ID}`, 'GET, HEAD'],
    ['put', `/v1/requests/${ID}/sanction`, 'POST'],
    ['get', `/v1/requests/${ID}/sanction`, 'POST'],
    ['delete', '/v1/statements', 'POST'],
    ['patch', `/v1/statements/${ID}`, 'GET, HEAD'],
    ['put', `/v1/inbox/${ID}/ack`, 'POST'],
    ['post', '/v1/log/checkpoint', 'GET, HEAD'],
    ['delete', '/healthz', 'GET, HEAD'],
  ] as const)('%s %s → 405 with Allow: %s', async (method, path, allow) => {
    const res = await call(method, path);
    expect(res.status).toBe(405);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.headers.allow).toBe(allow);
    expect(res.body.code).toBe('http.method_not_allowed');
  });

  it('an unknown path is still 404 http.not_found, whatever the method', async () => {
    for (const m of ['get', 'put', 'delete'] as const) {
      const res = await call(m, '/v1/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('http.not_found');
    }
  });

  it('without a client certificate the answer is 401, as for every authenticated path', async () => {
    const res = await request(`https://127.0.0.1:${t.port}`).put('/v1/requests').ca(ROOT_PEM());
    expect(res.status).toBe(401);
  });
});
