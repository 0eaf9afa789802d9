import { request as httpsRequest } from 'node:https';
import { signCms } from '../../src/cms/sign';
import { makeRequest, makeSanction } from '../support/documents';
import { INV, PROS } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { identity, ROOT_PEM, sign } from '../support/identities';
import { signedChallenge, signIn } from '../support/session';

const PROS_B = 'prosecutor/prosecutor-2';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ ART50_LOGIN_FAILURES_PER_CERTIFICATE: '3' }, { workers: false });
});
afterAll(async () => {
  await t.stop();
});

describe('sign-in by signature', () => {
  it('issues one-time challenges that expire within 5 minutes', async () => {
    const a = await t.as().get('/v1/auth/challenge');
    const b = await t.as().get('/v1/auth/challenge');
    expect(a.status).toBe(200);
    expect(a.body.challenge).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(a.body.challenge).not.toBe(b.body.challenge);
    const left = Date.parse(a.body.expiresAt) - Date.now();
    expect(left).toBeGreaterThan(240_000);
    expect(left).toBeLessThanOrEqual(300_000);
  });

  it('signs in with the AUTH key and sets a strict session cookie, a new id each time', async () => {
    const one = await signIn(t, INV);
    const { cms } = await signedChallenge(t, INV);
    const res = await t.as().post('/v1/auth/login', cms).set('Cookie', one.cookie);
    expect(res.status).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-art50-session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=(2879\d|28800); HttpOnly; Secure; SameSite=Strict$/);
    expect(cookie.split(';')[0]).not.toBe(one.cookie);
    expect(res.body.participant).toMatchObject({ name: expect.any(String), roles: ['investigator'], organisation: { kind: 'police', bin: '990440000127' } });
    expect(res.body.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The session it replaced is over.
    const old = await t.as().get('/v1/auth/session').set('Cookie', one.cookie);
    expect([old.status, old.body.code]).toEqual([401, 'auth.session_invalid']);
  });

  it('refuses a replayed challenge', async () => {
    const { cms } = await signedChallenge(t, INV);
    expect((await t.as().post('/v1/auth/login', cms)).status).toBe(200);
    const again = await t.as().post('/v1/auth/login', cms);
    expect([again.status, again.body.code]).toEqual([401, 'auth.challenge_invalid']);
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a challenge the gateway never issued', async () => {
    const forged = signCms(Buffer.from('A'.repeat(43) + '=', 'utf8'), identity(INV));
    const res = await t.as().post('/v1/auth/login', forged);
    expect([res.status, res.body.code]).toEqual([401, 'auth.challenge_invalid']);
  });

  it('refuses a revoked, an expired and a SIGN-only certificate, each with its reason', async () => {
    const revoked = await t.as().post('/v1/auth/login', (await signedChallenge(t, 'police/investigator-revoked')).cms);
    expect([revoked.status, revoked.body.code]).toEqual([403, 'auth.client_cert_revoked']);
    const expired = await t.as().post('/v1/auth/login', (await signedChallenge(t, 'police/investigator-expired')).cms);
    expect(expired.status).toBe(403);
    expect(['auth.client_cert_expired', 'auth.client_cert_untrusted']).toContain(expired.body.code);
    const signKey = await t.as().post('/v1/auth/login', (await signedChallenge(t, 'police/investigator-2.sign')).cms);
    expect([signKey.status, signKey.body.code, signKey.body.reason]).toEqual([403, 'auth.client_cert_untrusted', 'cert.key_usage']);
  });

  it('throttles failed sign-ins per certificate (429 with Retry-After)', async () => {
    const who = 'police/investigator-revoked';
    let last = await t.as().post('/v1/auth/login', (await signedChallenge(t, who)).cms);
    for (let i = 0; i < 3 && last.status !== 429; i++) last = await t.as().post('/v1/auth/login', (await signedChallenge(t, who)).cms);
    expect([last.status, last.body.code]).toEqual([429, 'auth.login_throttled']);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    // Another person from the same address still signs in (the address limit is higher).
    expect((await signIn(t, 'police/investigator-2')).csrf).toBeTruthy();
  });
});

describe('the failed sign-in limit per address', () => {
  let limited: TestGateway;
  beforeAll(async () => {
    limited = await startTestGateway({ ART50_LOGIN_FAILURES_PER_ADDRESS: '3' }, { workers: false });
  });
  afterAll(async () => {
    await limited.stop();
  });

  /** POST /v1/auth/login from another loopback address than supertest's 127.0.0.1. */
  const loginFrom = (localAddress: string, cms: Buffer): Promise<{ status: number; code?: string }> =>
    new Promise((ok, fail) => {
      const req = httpsRequest({ host: '127.0.0.1', port: limited.port, path: '/v1/auth/login', method: 'POST', localAddress, ca: ROOT_PEM(), headers: { 'Content-Type': 'application/pkcs7-mime', 'Content-Length': cms.length } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => ok({ status: res.statusCode ?? 0, code: (JSON.parse(body) as { code?: string }).code }));
      });
      req.on('error', fail);
      req.end(cms);
    });

  it('throttles one address at the limit although each certificate failed only once (429 with Retry-After)', async () => {
    // Three different certificates, each refused once for its own reason: under the per-certificate limit (5).
    const failures: Array<[string, number]> = [];
    for (const who of ['police/investigator-revoked', 'police/investigator-2.sign', 'police/head-1.sign']) {
      const res = await limited.as().post('/v1/auth/login', (await signedChallenge(limited, who)).cms);
      failures.push([who, res.status]);
    }
    expect(failures).toEqual([['police/investigator-revoked', 403], ['police/investigator-2.sign', 403], ['police/head-1.sign', 403]]);
    // The third failure reached the limit: now anyone from this address is turned away, a valid
    // person too, before the signature is even looked at.
    const valid = await limited.as().post('/v1/auth/login', (await signedChallenge(limited, INV)).cms);
    expect([valid.status, valid.body.code]).toEqual([429, 'auth.login_throttled']);
    expect(valid.body.detail).toMatch(/from this address/);
    expect(Number(valid.headers['retry-after'])).toBeGreaterThan(0);
    const garbage = await limited.as().post('/v1/auth/login', Buffer.from('not a CMS'));
    expect([garbage.status, garbage.body.code]).toEqual([429, 'auth.login_throttled']);
    // The same valid person from another address signs in: the count is per address.
    const other = await loginFrom('127.0.0.2', (await signedChallenge(limited, INV)).cms);
    expect(other).toEqual({ status: 200, code: undefined });
  });
});

describe('a console session on the /v1 routes', () => {
  it('is accepted instead of a TLS client certificate, with the CSRF header on state changes', async () => {
    const s = await signIn(t, INV);
    const doc = makeRequest();
    const body = sign(doc, INV);
    const noCsrf = await t.as().post('/v1/requests', body).set('Cookie', s.cookie);
    expect([noCsrf.status, noCsrf.body.code]).toEqual([403, 'auth.csrf']);
    const wrong = await t.as().post('/v1/requests', body).set('Cookie', s.cookie).set('X-Art50-CSRF', s.csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')));
    expect([wrong.status, wrong.body.code]).toEqual([403, 'auth.csrf']);
    const ok = await t.as().post('/v1/requests', body).set('Cookie', s.cookie).set('X-Art50-CSRF', s.csrf);
    expect(ok.status).toBe(202);
    const status = await t.as().get(`/v1/requests/${doc.requestId}`).set('Cookie', s.cookie);
    expect(status.status).toBe(200);
    const who = await t.as().get('/v1/auth/session').set('Cookie', s.cookie);
    expect([who.status, who.body.csrf]).toEqual([200, s.csrf]);
  });

  it('gets exactly the authorisation of the same person\'s TLS certificate', async () => {
    const doc = makeRequest();
    const received = await t.as(INV).post('/v1/requests', sign(doc, INV));
    expect(received.status).toBe(202);
    const inv = await signIn(t, INV);
    const prosA = await signIn(t, PROS);
    const prosB = await signIn(t, PROS_B);
    const cases: Array<[string, string, { cookie: string }]> = [
      [INV, '/v1/sanctions/pending', inv],
      [PROS, '/v1/sanctions/pending', prosA],
      [PROS_B, '/v1/sanctions/pending', prosB],
      [PROS_B, `/v1/requests/${doc.requestId}`, prosB],
      [PROS, `/v1/requests/${doc.requestId}`, prosA],
      [INV, '/v1/inbox', inv],
      [PROS, '/v1/log/entries?start=0&end=1', prosA],
    ];
    for (const [who, path, s] of cases) {
      const tls = await t.as(who).get(path);
      const session = await t.as().get(path).set('Cookie', s.cookie);
      expect([who, path, session.status, session.body.code]).toEqual([who, path, tls.status, tls.body.code]);
    }
    // Body B's prosecutor sees nothing of body A's request; A's prosecutor grants it through the session.
    const pendingB = await t.as().get('/v1/sanctions/pending').set('Cookie', prosB.cookie);
    expect(pendingB.body.items.map((i: { requestId: string }) => i.requestId)).not.toContain(doc.requestId);
    const grant = await t.as().post(`/v1/requests/${doc.requestId}/sanction`, sign(makeSanction(doc, received.body.digest), PROS)).set('Cookie', prosA.cookie).set('X-Art50-CSRF', prosA.csrf);
    expect(grant.status).toBe(201);
  });

  it('ends at logout, which needs the CSRF header', async () => {
    const s = await signIn(t, INV);
    const refused = await t.as().post('/v1/auth/logout').set('Cookie', s.cookie);
    expect([refused.status, refused.body.code]).toEqual([403, 'auth.csrf']);
    const out = await t.as().post('/v1/auth/logout').set('Cookie', s.cookie).set('X-Art50-CSRF', s.csrf);
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^__Host-art50-session=; Path=\/; Max-Age=0/);
    const after = await t.as().get('/readyz').set('Cookie', s.cookie);
    expect([after.status, after.body.code]).toEqual([401, 'auth.session_invalid']);
  });

  it('without a cookie or certificate is still auth.client_cert_missing', async () => {
    const res = await t.as().get('/v1/sanctions/pending');
    expect([res.status, res.body.code]).toEqual([401, 'auth.client_cert_missing']);
    const junk = await t.as().get('/v1/sanctions/pending').set('Cookie', '__Host-art50-session=not-a-session');
    expect([junk.status, junk.body.code]).toEqual([401, 'auth.session_invalid']);
  });
});

describe('session lifetime', () => {
  it('survives a restart of the gateway (sessions live in Redis) and ends when idle too long', async () => {
    const first = await startTestGateway({}, { workers: false });
    let second: TestGateway | undefined;
    try {
      const s = await signIn(first, INV);
      await first.stop();
      // The restarted gateway has a 1 s idle limit: the session's idle clock restarts with this call.
      second = await startTestGateway({ ART50_NAMESPACE: first.config.namespace, ART50_SESSION_IDLE_SECONDS: '1' }, { workers: false });
      const kept = await second.as().get('/v1/auth/session').set('Cookie', s.cookie);
      expect([kept.status, kept.body.csrf]).toEqual([200, s.csrf]);
      await new Promise((r) => setTimeout(r, 1500));
      const idle = await second.as().get('/v1/auth/session').set('Cookie', s.cookie);
      expect([idle.status, idle.body.code]).toEqual([401, 'auth.session_invalid']);
    } finally {
      await second?.stop();
    }
  });
});
