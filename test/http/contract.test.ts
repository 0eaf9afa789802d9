import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Response } from 'superagent';
import { parseSignedData } from '../../src/cms/verify';
import { EmbeddedRedis, startEmbeddedRedis } from '../../src/redis/embedded';
import { Contract, Exchange, loadSpec } from '../support/contract';
import { contract, record, seenOperations, takeViolations } from '../support/contract-recorder';
import { makeRequest, makeSanction } from '../support/documents';
import { INV, PROS, sanctionedRequest, waitFor } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { registryWithPush, startFakeBank } from '../support/push-bank';
import { identity, ROOT_PEM, sign } from '../support/identities';
import { signedChallenge, signIn } from '../support/session';
import { binary, delivered, makeStatement } from '../statements/helpers';

/**
 * docs/openapi.yaml as a contract. Every response of every test gateway is validated against it
 * (test/support/contract-recorder.ts; a mismatch fails the test that caused it). This file makes
 * sure that check means something: it drives every documented operation, shows the validator
 * catching planted mismatches, and runs every operation against a gateway whose Redis is gone.
 */

const AUD = 'auditor/auditor-1';
const BANK = 'banks/ALFAKZKA';
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const contentDigest = (cms: Buffer): string => sha256(parseSignedData(cms).content ?? Buffer.alloc(0));

/** A live answer as the recorder would see it (supertest has already decoded it). */
function exchangeOf(method: string, url: string, res: Response): Exchange {
  const body = Buffer.from(res.text ?? '', 'utf8');
  return { method, url, status: res.status, headers: { ...res.headers }, body, bodyLength: body.length };
}

describe('the contract with Redis up', () => {
  let t: TestGateway;
  const before = seenOperations();
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('drives every documented operation to a success answer, each matching the spec', async () => {
    expect((await t.as().get('/healthz')).status).toBe(200);
    expect((await t.as().get('/v1/openapi.json')).status).toBe(200);
    expect((await t.as(INV).get('/readyz')).status).toBe(200);

    const doc = makeRequest({ banks: ['ALFAKZKA'] });
    const signed = sign(doc, INV);
    const received = await t.as(INV).post('/v1/requests', signed);
    expect(received.status).toBe(202);
    expect((await t.as(INV).post('/v1/requests', signed)).status).toBe(200);
    // The digest is the SHA-256 of the signed JSON content, not of the CMS bytes (issue 22.1).
    expect(received.body.digest).toBe(contentDigest(signed));
    expect(received.body.digest).not.toBe(sha256(signed));

    const pending = await t.as(PROS).get('/v1/sanctions/pending?limit=1000');
    expect(pending.status).toBe(200);
    expect(pending.body.items.map((i: { requestId: string }) => i.requestId)).toContain(doc.requestId);
    const sanction = sign(makeSanction(doc, received.body.digest), PROS);
    const decided = await t.as(PROS).post(`/v1/requests/${doc.requestId}/sanction`, sanction);
    expect(decided.status).toBe(201);
    expect(decided.body.digest).toBe(contentDigest(sanction));
    expect((await t.as(PROS).post(`/v1/requests/${doc.requestId}/sanction`, sanction)).status).toBe(200);
    expect((await t.as(INV).get(`/v1/requests/${doc.requestId}`)).status).toBe(200);
    expect((await t.as(INV).get('/v1/requests')).status).toBe(200);
    const decisions = await t.as(PROS).get('/v1/sanctions/decided');
    expect(decisions.status).toBe(200);
    expect(decisions.body.items[0]).toMatchObject({ requestId: doc.requestId, decision: 'granted' });
    expect((await t.as('prosecutor/prosecutor-2').get('/v1/sanctions/decided')).body.items.map((i: { requestId: string }) => i.requestId)).not.toContain(doc.requestId);

    const item = await delivered(t, 'ALFAKZKA', doc.requestId);
    expect((await t.as(BANK).get('/v1/inbox?limit=500')).status).toBe(200);
    expect((await t.as(BANK).post(`/v1/inbox/${item.deliveryId}/ack`)).status).toBe(200);
    const statement = sign(makeStatement(doc, received.body.digest, 'ALFAKZKA'), BANK);
    const stored = await t.as(BANK).post('/v1/statements', statement);
    expect(stored.status).toBe(201);
    expect(stored.body.digest).toBe(contentDigest(statement));
    expect((await t.as(BANK).post('/v1/statements', statement)).status).toBe(200);

    const list = await t.as(INV).get(`/v1/requests/${doc.requestId}/statements`);
    expect(list.status).toBe(200);
    const download = await t.as(INV).get(`/v1/statements/${stored.body.statementId}`).buffer(true).parse(binary);
    expect(download.status).toBe(200);
    expect(Buffer.compare(download.body as Buffer, statement)).toBe(0);
    expect(download.headers['x-art50-digest']).toBe(contentDigest(statement));
    expect(download.headers['x-art50-digest']).toBe(stored.body.digest);

    const checkpoint = await waitFor(async () => {
      const c = await t.as(INV).get('/v1/log/checkpoint');
      return c.status === 200 && c.body.treeSize >= 2 ? c : undefined;
    }, 'a checkpoint over the flow');
    const size = checkpoint.body.treeSize as number;
    expect((await t.as(AUD).get(`/v1/log/checkpoint?treeSize=${size}`)).status).toBe(200);
    expect((await t.as(AUD).get('/v1/log/checkpoints?after=-1&limit=10')).status).toBe(200);
    expect((await t.as(AUD).get(`/v1/log/entries?start=0&end=${size}`)).status).toBe(200);
    expect((await t.as(AUD).get(`/v1/log/proofs/inclusion?index=0&treeSize=${size}`)).status).toBe(200);
    expect((await t.as(AUD).get(`/v1/log/proofs/consistency?first=1&second=${size}`)).status).toBe(200);
    expect((await t.as(AUD).get('/v1/stats')).status).toBe(200);
    expect((await t.as(AUD).get('/metrics')).status).toBe(200);
    // The money trail of the case (issue 18).
    expect((await t.as(INV).get(`/v1/cases/${(doc.case as { erdrNumber: string }).erdrNumber}/trail`)).status).toBe(200);
    expect((await t.as().get('/console/oversight')).status).toBe(200);

    // The console and its sign-in by signature (issue 13).
    expect((await t.as().get('/console')).status).toBe(200);
    expect((await t.as().get('/console/app.js')).status).toBe(200);
    const session = await signIn(t, INV);
    expect((await t.as().get('/v1/auth/session').set('Cookie', session.cookie)).status).toBe(200);
    expect((await t.as().post('/v1/auth/logout').set('Cookie', session.cookie).set('X-Art50-CSRF', session.csrf)).status).toBe(204);

    // Every operation of the spec answered 2xx at least once in this test (and matched the spec:
    // the recorder's afterEach would fail this test otherwise).
    const after = seenOperations();
    const succeeded = contract().operations().filter((op) => (after.get(op) ?? []).slice((before.get(op) ?? []).length).some((s) => s >= 200 && s < 300));
    expect(succeeded.sort()).toEqual(contract().operations().sort());
  });

  it('answers the refusals the issue found undocumented with codes the spec lists', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    // A sanction whose prosecutor field names someone else than the signer.
    const other = makeRequest();
    const r = await t.as(INV).post('/v1/requests', sign(other, INV));
    const wrong = sign(makeSanction(other, r.body.digest, { prosecutor: { ...(makeSanction(other, r.body.digest).prosecutor as object), iin: '850315300128' } }), PROS);
    const refused = await t.as(PROS).post(`/v1/requests/${other.requestId}/sanction`, wrong);
    expect([refused.status, refused.body.code]).toEqual([403, 'participant.wrong_body']);
    // Broken percent-encoding in every kind of path id.
    for (const path of [`/v1/requests/%E0%A4%A`, `/v1/requests/%ZZ/statements`, '/v1/statements/%E0%A4%A']) {
      const res = await t.as(INV).get(path);
      expect([path, res.status, res.body.code]).toEqual([path, 400, 'http.bad_request']);
    }
    const ack = await t.as(BANK).post('/v1/inbox/%ZZ/ack');
    expect([ack.status, ack.body.code]).toEqual([400, 'http.bad_request']);
    const sanctionBroken = await t.as(PROS).post('/v1/requests/%E0%A4%A/sanction', sign(makeSanction(doc, digest), PROS));
    expect([sanctionBroken.status, sanctionBroken.body.code]).toEqual([400, 'http.bad_request']);
    // Outside the operations: a method a path does not have (405 with Allow), a path that does not exist (404).
    const id = identity(INV);
    const put = await request(`https://127.0.0.1:${t.port}`).put(`/v1/requests/${doc.requestId}`).ca(ROOT_PEM()).cert(id.certPem).key(id.keyPem);
    expect([put.status, put.body.code, put.headers.allow]).toEqual([405, 'http.method_not_allowed', 'GET, HEAD']);
    const nowhere = await t.as(INV).get('/v1/nowhere');
    expect([nowhere.status, nowhere.body.code]).toEqual([404, 'http.not_found']);
  });

  it('enforces the documented limits and integer syntax of query parameters', async () => {
    const cases: Array<[string, string, number]> = [
      [BANK, '/v1/inbox?limit=500', 200],
      [BANK, '/v1/inbox?limit=501', 400],
      [PROS, '/v1/sanctions/pending?limit=1000', 200],
      [PROS, '/v1/sanctions/pending?limit=1001', 400],
      [PROS, '/v1/sanctions/decided?limit=1000', 200],
      [PROS, '/v1/sanctions/decided?limit=1001', 400],
      [BANK, '/v1/inbox?limit=1e2', 400],
      [BANK, '/v1/inbox?limit=0x10', 400],
      [BANK, '/v1/inbox?limit=', 400],
      [BANK, '/v1/inbox?limit=+5', 400],
      [BANK, '/v1/inbox?limit=5&limit=6', 400],
      [PROS, '/v1/sanctions/pending?limit=0', 400],
      [AUD, '/v1/log/checkpoint?treeSize=', 400],
      [AUD, '/v1/log/checkpoints?after=-1', 200],
      [AUD, '/v1/log/checkpoints?after=-2', 400],
      [AUD, '/v1/log/entries?start=0&end=1.5', 400],
    ];
    for (const [who, path, status] of cases) {
      const res = await t.as(who).get(path);
      expect([path, res.status, status === 400 ? res.body.code : 'ok']).toEqual([path, status, status === 400 ? 'http.bad_request' : 'ok']);
    }
  });

  it('takes a signed document under each body media type the spec lists, and refuses others', async () => {
    const spec = loadSpec();
    const media = Object.keys((spec.components.requestBodies as Record<string, { content: object }>).SignedRequest!.content);
    expect(media.sort()).toEqual(['application/octet-stream', 'application/pkcs7-mime', 'application/pkcs7-signature']);
    for (const type of media) {
      const res = await t.as(INV).post('/v1/requests', sign(makeRequest(), INV), type);
      expect([type, res.status]).toEqual([type, 202]);
    }
    const json = await t.as(INV).post('/v1/requests', sign(makeRequest(), INV), 'application/json');
    expect([json.status, json.body.code]).toEqual([415, 'http.unsupported_media_type']);
  });

  it('catches planted mismatches: a missing field, a wrong format, an unlisted code, a missing header, a wrong media type', async () => {
    const c = Contract.fromFile();
    const doc = makeRequest();
    const res = await t.as(INV).post('/v1/requests', sign(doc, INV));
    const live = exchangeOf('POST', '/v1/requests', res);
    expect(c.check(live)).toEqual({ operation: 'POST /v1/requests', errors: [] });

    const withBody = (b: unknown): Exchange => {
      const body = Buffer.from(JSON.stringify(b));
      return { ...live, body, bodyLength: body.length };
    };
    const { digest, ...noDigest } = res.body as Record<string, unknown>;
    expect(c.check(withBody(noDigest)).errors.join()).toMatch(/must have required property 'digest'/);
    expect(c.check(withBody({ ...res.body, digest: String(digest).toUpperCase() })).errors.join()).toMatch(/digest must match pattern/);
    expect(c.check({ ...live, headers: { ...live.headers, location: undefined } }).errors.join()).toMatch(/required header Location is missing/);
    expect(c.check({ ...live, headers: { ...live.headers, 'content-type': 'text/plain' } }).errors.join()).toMatch(/Content-Type text\/plain is not one of application\/json/);
    expect(c.check({ ...live, status: 201 }).errors.join()).toMatch(/Content-Type application\/json is not one of application\/problem\+json/);

    // A live refusal checked against a copy of the spec that no longer lists its code.
    const broken = await t.as(INV).get('/v1/requests/%ZZ');
    const brokenEx = exchangeOf('GET', '/v1/requests/%ZZ', broken);
    expect(c.check(brokenEx).errors).toEqual([]);
    const spec = loadSpec();
    const op = spec.paths['/v1/requests/{requestId}']!.get as { 'x-art50-problem-codes': string[] };
    op['x-art50-problem-codes'] = op['x-art50-problem-codes'].filter((x) => x !== 'http.bad_request');
    expect(new Contract(spec).check(brokenEx).errors.join()).toMatch(/problem code http\.bad_request is not in the operation's x-art50-problem-codes/);

    // A 503 without Retry-After, and a problem whose status is not the HTTP status.
    const unavailable = withBody({ type: 'urn:art50:problem:http.not_ready', title: 'Not ready', status: 503, detail: 'x', code: 'http.not_ready' });
    const u = { ...unavailable, status: 503, headers: { 'content-type': 'application/problem+json' } };
    expect(c.check(u).errors.join()).toMatch(/required header Retry-After is missing/);
    expect(c.check({ ...u, status: 500, headers: { 'content-type': 'application/problem+json' } }).errors.join()).toMatch(/problem status 503 is not the HTTP status/);

    // Log entries are JSON strings: the contract checks them against schemas/log-entry.schema.json.
    await waitFor(async () => (await t.as(AUD).get('/v1/log/entries?start=0&end=1')).body.entries?.length === 1, 'a log entry');
    const entries = await t.as(AUD).get('/v1/log/entries?start=0&end=1');
    const entriesEx = exchangeOf('GET', '/v1/log/entries?start=0&end=1', entries);
    expect(c.check(entriesEx).errors).toEqual([]);
    const entry = JSON.parse(entries.body.entries[0]) as Record<string, unknown>;
    const plant = (e: string): Exchange => {
      const body = Buffer.from(JSON.stringify({ ...entries.body, entries: [e] }));
      return { ...entriesEx, body, bodyLength: body.length };
    };
    expect(c.check(plant(JSON.stringify({ ...entry, event: 'request.invented' }))).errors.join()).toMatch(/entries\/0 must pass "x-contract-json-content" keyword validation/);
    expect(c.check(plant('{"event":')).errors.join()).toMatch(/entries\/0 must pass "x-contract-json-content" keyword validation/);

    // The recorder puts a mismatch where the afterEach of every test finds it and fails the test.
    takeViolations();
    record({ ...live, headers: { ...live.headers, location: undefined } });
    expect(takeViolations().join()).toMatch(/POST \/v1\/requests → 202: required header Location is missing/);
  });
});

describe('the push webhook', () => {
  it('pushes to a bank exactly what webhooks.deliveryPush describes', async () => {
    const pushes: Array<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> = [];
    const bank = await startFakeBank('GAMMKZKA', (body, req, res) => {
      pushes.push({ headers: req.headers, body: Buffer.from(JSON.stringify(body)) });
      res.writeHead(204).end();
    });
    const t = await startTestGateway({ ART50_REGISTRY: registryWithPush('GAMMKZKA', bank.url) });
    try {
      const { doc } = await sanctionedRequest(t, { banks: ['GAMMKZKA'] });
      const push = await waitFor(async () => pushes.find((p) => JSON.parse(p.body.toString()).requestId === doc.requestId), 'the push to GAMMKZKA');
      // startFakeBank has already checked it against the spec (a mismatch would fail this test).
      const real = { method: 'POST', headers: push.headers, body: push.body };
      expect(contract().checkWebhook('deliveryPush', real)).toEqual([]);
      const { receipt, ...noReceipt } = JSON.parse(push.body.toString()) as Record<string, unknown>;
      expect(typeof receipt).toBe('string');
      expect(contract().checkWebhook('deliveryPush', { ...real, body: Buffer.from(JSON.stringify(noReceipt)) }).join()).toMatch(/must have required property 'receipt'/);
      expect(contract().checkWebhook('deliveryPush', { ...real, headers: { ...push.headers, 'x-art50-delivery-id': undefined } }).join()).toMatch(/required header X-Art50-Delivery-Id is missing/);
    } finally {
      await t.stop();
      await bank.close();
    }
  });
});

describe('the contract with Redis down', () => {
  let redis: EmbeddedRedis;
  let t: TestGateway;
  let stopped = false;
  const dir = mkdtempSync(join(tmpdir(), 'art50-contract-'));
  const saved = process.env.REDIS_URL;

  beforeAll(async () => {
    redis = await startEmbeddedRedis({ dataDir: dir });
    process.env.REDIS_URL = redis.url;
    t = await startTestGateway({}, { workers: true });
  });
  afterAll(async () => {
    if (!stopped) await t.stop();
    await redis.stop();
    process.env.REDIS_URL = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every operation within 2 s with a documented response, /metrics with what it knows, and shuts down promptly', async () => {
    // Material for every operation, made while Redis is up.
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const item = await delivered(t, 'ALFAKZKA', doc.requestId);
    const stored = await t.as(BANK).post('/v1/statements', sign(makeStatement(doc, digest, 'ALFAKZKA'), BANK));
    expect(stored.status).toBe(201);
    const fresh = makeRequest();
    const session = await signIn(t, INV);
    const login = (await signedChallenge(t, INV)).cms;
    const calls: Record<string, () => Promise<Response>> = {
      'GET /healthz': () => t.as().get('/healthz'),
      'GET /readyz': () => t.as(INV).get('/readyz'),
      'POST /v1/requests': () => t.as(INV).post('/v1/requests', sign(fresh, INV)),
      'POST /v1/requests/{requestId}/sanction': () => t.as(PROS).post(`/v1/requests/${fresh.requestId}/sanction`, sign(makeSanction(fresh, 'a'.repeat(64)), PROS)),
      'GET /v1/requests/{requestId}': () => t.as(INV).get(`/v1/requests/${doc.requestId}`),
      'GET /v1/requests': () => t.as(INV).get('/v1/requests'),
      'GET /v1/sanctions/pending': () => t.as(PROS).get('/v1/sanctions/pending'),
      'GET /v1/sanctions/decided': () => t.as(PROS).get('/v1/sanctions/decided'),
      'GET /v1/inbox': () => t.as(BANK).get('/v1/inbox'),
      'POST /v1/inbox/{deliveryId}/ack': () => t.as(BANK).post(`/v1/inbox/${item.deliveryId}/ack`),
      'POST /v1/statements': () => t.as(BANK).post('/v1/statements', sign(makeStatement(doc, digest, 'ALFAKZKA'), BANK)),
      'GET /v1/requests/{requestId}/statements': () => t.as(INV).get(`/v1/requests/${doc.requestId}/statements`),
      'GET /v1/statements/{statementId}': () => t.as(INV).get(`/v1/statements/${stored.body.statementId}`),
      'GET /v1/log/checkpoint': () => t.as(INV).get('/v1/log/checkpoint'),
      'GET /v1/log/checkpoints': () => t.as(AUD).get('/v1/log/checkpoints'),
      'GET /v1/log/entries': () => t.as(AUD).get('/v1/log/entries?start=0&end=1'),
      'GET /v1/log/proofs/inclusion': () => t.as(AUD).get('/v1/log/proofs/inclusion?index=0&treeSize=1'),
      'GET /v1/log/proofs/consistency': () => t.as(AUD).get('/v1/log/proofs/consistency?first=1&second=1'),
      'GET /v1/stats': () => t.as(AUD).get('/v1/stats'),
      'GET /v1/cases/{erdrNumber}/trail': () => t.as(INV).get(`/v1/cases/${(doc.case as { erdrNumber: string }).erdrNumber}/trail`),
      'GET /metrics': () => t.as(AUD).get('/metrics'),
      'GET /v1/openapi.json': () => t.as().get('/v1/openapi.json'),
      'GET /v1/auth/challenge': () => t.as().get('/v1/auth/challenge'),
      'POST /v1/auth/login': () => t.as().post('/v1/auth/login', login),
      'POST /v1/auth/logout': () => t.as().post('/v1/auth/logout').set('Cookie', session.cookie).set('X-Art50-CSRF', session.csrf),
      'GET /v1/auth/session': () => t.as().get('/v1/auth/session').set('Cookie', session.cookie),
      'GET /console': () => t.as().get('/console'),
      'GET /console/{asset}': () => t.as().get('/console/app.css'),
    };
    expect(Object.keys(calls).sort()).toEqual(contract().operations().sort());

    process.kill(redis.pid, 'SIGKILL');
    await waitFor(async () => (await t.as(INV).get('/readyz')).status === 503, 'the gateway to notice Redis is gone');
    const slow: string[] = [];
    for (const [op, call] of Object.entries(calls)) {
      const started = Date.now();
      const res = await call();
      const ms = Date.now() - started;
      if (ms > 2000) slow.push(`${op}: ${ms} ms`);
      if (op === 'GET /healthz' || op === 'GET /v1/openapi.json' || op.startsWith('GET /console')) {
        expect([op, res.status]).toEqual([op, 200]);
      } else if (op === 'GET /metrics') {
        expect(res.status).toBe(200);
        expect(res.text).toMatch(/^redis_up 0$/m);
        expect(res.text).toMatch(/^http_requests_total\{/m);
        expect(res.text).not.toMatch(/^queue_depth\{/m);
      } else {
        // The spec's answer for "store unreachable": 503 http.not_ready with Retry-After.
        expect([op, res.status, res.body.code, typeof res.headers['retry-after']]).toEqual([op, 503, 'http.not_ready', 'string']);
      }
    }
    expect(slow).toEqual([]);

    // SIGTERM runs this: with Redis gone it must not wait out every graceful timeout.
    const started = Date.now();
    await t.stop();
    stopped = true;
    expect(Date.now() - started).toBeLessThan(5000);
  }, 60_000);
});
