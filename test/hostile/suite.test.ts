import { randomUUID, X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { PassThrough } from 'node:stream';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import request from 'supertest';
import type { Response } from 'supertest';
import { signCms } from '../../src/cms/sign';
import { DEMO_BIN, DEMO_IIN } from '../../src/demo/pki/participants';
import { makeRequest, makeSanction } from '../support/documents';
import { INV, PROS } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { identity, ROOT_PEM, sign, signer } from '../support/identities';
import { lookupAccounts, makeStatement, sha256 } from '../statements/helpers';

/**
 * The hostile-input suite (issue 12): for every class an outside attack run found — quadratic
 * PEM, runaway statements, duplicate member names, cross-tenant sanctions, announced oversized
 * bodies, hostile member names, corrupted public keys, future signing times, unknown methods —
 * many inputs, each answered 4xx problem+json with its code; afterwards the gateway answers
 * /healthz, still accepts a valid request, and its heap has not grown with what it was sent.
 */
v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;
const heap = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};

const P2 = 'prosecutor/prosecutor-2';
const ALFA = 'banks/ALFAKZKA';
const MB = 1024 * 1024;
const YEAR = 365 * 24 * 3600_000;

let t: TestGateway;
const log: string[] = [];
let heapBefore = 0;
let answered = 0;
const target = { requestId: '', digest: '', doc: {} as Record<string, unknown> };

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => log.push(...d.toString('utf8').split('\n').filter(Boolean)));
  // Statements over 64 kB go to the worker, so both statement paths meet hostile input.
  t = await startTestGateway({ ART50_STATEMENT_WORKER_THRESHOLD: '64kb' }, { workers: false, logStream: stream });
  const doc = makeRequest({ banks: ['ALFAKZKA'] });
  const res = await t.as(INV).post('/v1/requests', sign(doc, INV));
  expect(res.status).toBe(202);
  Object.assign(target, { requestId: doc.requestId, digest: res.body.digest, doc });
  heapBefore = heap();
}, 60_000);

afterAll(async () => {
  await t.stop();
});

/** Every answer of the suite: a 4xx problem+json with `code`. */
function expectProblem(res: Response, code: string, status?: number): void {
  answered++;
  if (res.status >= 500 || res.status < 400) throw new Error(`expected 4xx ${code}, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe(code);
  if (status !== undefined) expect(res.status).toBe(status);
}

const post = (path: string, body: Buffer, who: string) => t.as(who).post(path, body);
const postRequest = (body: Buffer, who = INV) => post('/v1/requests', body, who);
const postSanction = (body: Buffer, who = PROS, id = target.requestId) => post(`/v1/requests/${id}/sanction`, body, who);
const postStatement = (body: Buffer, who = ALFA) => post('/v1/statements', body, who);
const signText = (text: string, who: string, at?: Date): Buffer => signCms(Buffer.from(text, 'utf8'), signer(who), at ? { signingTime: at } : {});
const statementText = (over: Record<string, unknown> = {}): string => JSON.stringify(makeStatement(target.doc, target.digest, 'ALFAKZKA', over, []));
/** Pads JSON with trailing whitespace (still valid) so the statement takes the worker path. */
const toWorker = (text: string): string => text + ' '.repeat(70 * 1024);

describe('1. quadratic PEM: refused in linear time, the event loop free', () => {
  const repeat = (unit: string, bytes: number): Buffer => Buffer.from(unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes), 'latin1');
  const bodies: [string, string, () => Buffer][] = [];
  for (const size of [64 * 1024, 256 * 1024, 900 * 1024]) {
    bodies.push([`${size} B of BEGIN CMS to /v1/requests`, '/v1/requests', () => repeat('-----BEGIN CMS-----', size)]);
    bodies.push([`${size} B of BEGIN PKCS7 lines to a sanction`, 'sanction', () => repeat('-----BEGIN PKCS7-----\n', size)]);
    bodies.push([`${size} B of both labels to /v1/statements`, '/v1/statements', () => repeat('-----BEGIN CMS----------BEGIN PKCS7-----', size)]);
  }
  for (const size of [2 * MB, 2.5 * MB]) {
    bodies.push([`${size} B of BEGIN CMS to /v1/statements (worker path)`, '/v1/statements', () => repeat('-----BEGIN CMS-----', size)]);
    bodies.push([`${size} B of BEGIN CMS + END PKCS7 to /v1/statements`, '/v1/statements', () => repeat('-----BEGIN CMS-----AAAA-----END PKCS7-----', size)]);
  }
  bodies.push(['a BEGIN line and base64 without END', '/v1/requests', () => Buffer.from(`-----BEGIN CMS-----\n${'QUFB'.repeat(50_000)}`)]);
  bodies.push(['a PEM block of non-base64', '/v1/requests', () => Buffer.from('-----BEGIN CMS-----\n!!!!\n-----END CMS-----\n')]);
  bodies.push(['a PEM block of base64 garbage', '/v1/requests', () => Buffer.from(`-----BEGIN CMS-----\n${Buffer.alloc(3000, 7).toString('base64')}\n-----END CMS-----\n`)]);

  it.each(bodies)('%s → 400 cms.malformed, the event loop never blocked for seconds', async (_what, path, body) => {
    const b = body();
    const who = path === '/v1/statements' ? ALFA : path === 'sanction' ? PROS : INV;
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const t0 = Date.now();
    const res = path === 'sanction' ? await postSanction(b) : await post(path, b, who);
    const ms = Date.now() - t0;
    h.disable();
    expectProblem(res, 'cms.malformed', 400);
    // Loose bounds: client and server share this loop and the machine may be busy with other
    // suites; the old regex took 7–33 s per body. test/cms/pem-linear.test.ts holds the 200 ms bound.
    expect(ms).toBeLessThan(5000);
    expect(h.max / 1e6).toBeLessThan(1000);
  });
});

describe('1b. several PEM bombs at once', () => {
  it('three 1 MB bodies of BEGIN lines at once: each 400 cms.malformed, and /healthz answers meanwhile', async () => {
    const bomb = Buffer.from('-----BEGIN CMS-----'.repeat(Math.ceil(MB / 19)).slice(0, MB - 16), 'latin1');
    const t0 = Date.now();
    const health = (async () => {
      await new Promise((r) => setTimeout(r, 20));
      const h0 = Date.now();
      const res = await t.as().get('/healthz');
      return { status: res.status, ms: Date.now() - h0 };
    })();
    const answers = await Promise.all([postRequest(bomb), postRequest(bomb), postStatement(bomb)]);
    for (const res of answers) expectProblem(res, 'cms.malformed', 400);
    const h = await health;
    expect(h.status).toBe(200);
    expect(h.ms).toBeLessThan(3000); // the old regex left it unanswered for over 10 s
    expect(Date.now() - t0).toBeLessThan(8000);
  });
});

describe('2. runaway statements in the worker', () => {
  let slow: TestGateway;
  let big: Buffer;
  beforeAll(async () => {
    // A budget well below what 60,000 movements (~18 MB) take to parse and check in the worker.
    slow = await startTestGateway({ ART50_STATEMENT_WORKER_THRESHOLD: '0', ART50_STATEMENT_JOB_TIMEOUT_MS: '400' }, { workers: false });
    const account = lookupAccounts(target.doc, 'ALFAKZKA', 60_000).find((a) => (a.movements ?? []).length === 60_000)!;
    big = sign(makeStatement(target.doc, target.digest, 'ALFAKZKA', {}, [account]), ALFA);
  }, 60_000);
  afterAll(async () => {
    await slow.stop();
  });

  it.each([1, 2, 3, 4])('statement %i past the time budget → 422 document.too_costly; the worker is replaced', async () => {
    expectProblem(await slow.as(ALFA).post('/v1/statements', big), 'document.too_costly', 422);
  });

  it.each([
    ['a statement that is not CMS', () => Buffer.alloc(100 * 1024, 0x41), 'cms.malformed'],
    ['a truncated DER SEQUENCE', () => Buffer.from([0x30, 0x83, 0x01, 0x90, 0x00, 0x06]), 'cms.malformed'],
  ])('after the replacements: %s is still answered by a fresh worker', async (_what, body, code) => {
    expectProblem(await slow.as(ALFA).post('/v1/statements', body()), code);
  });
});

describe('3. duplicate member names', () => {
  const dupRequest = (): [string, string][] => {
    const doc = makeRequest();
    const json = JSON.stringify(doc);
    const other = { ...(doc.subject as Record<string, unknown>), iin: '900101300123' };
    return [
      ['two subject members (different IINs)', json.replace('"subject":', `"subject":${JSON.stringify(other)},"subject":`)],
      ['two requestIds', json.replace('"requestId":', `"requestId":"${randomUUID()}","requestId":`)],
      ['banks given twice', json.replace('"banks":', '"banks":["ALFAKZKA"],"banks":')],
      ['createdAt twice', json.replace('"createdAt":', '"createdAt":"2020-01-01T00:00:00Z","createdAt":')],
      ['a nested case.erdrNumber twice', json.replace('"erdrNumber":', '"erdrNumber":"000000000000000","erdrNumber":')],
      ['subject.iin twice', json.replace('"subject":{', '"subject":{"iin":"900101300123",')],
      ['type twice', json.replace('"type":', '"type":"request","type":')],
      ['spelled with a unicode escape', json.replace('"requestId":', `"request\\u0049d":"${randomUUID()}","requestId":`)],
      ['scope twice', json.replace('"scope":', '"scope":{"accountList":true},"scope":')],
    ];
  };
  it.each(dupRequest())('request: %s → 422 document.duplicate_key', async (_what, text) => {
    expectProblem(await postRequest(signText(text, INV)), 'document.duplicate_key', 422);
  });

  it.each([
    ['decision refused then granted', (j: string) => j.replace('"decision":', '"decision":"refused","decision":')],
    ['requestDigest twice', (j: string) => j.replace('"requestDigest":', `"requestDigest":"${'0'.repeat(64)}","requestDigest":`)],
    ['prosecutor.iin twice', (j: string) => j.replace('"prosecutor":{', `"prosecutor":{"iin":"${DEMO_IIN.prosecutor2}",`)],
    ['validUntil twice', (j: string) => j.replace('"validUntil":', '"validUntil":"2099-01-01T00:00:00Z","validUntil":')],
  ])('sanction: %s → 422 document.duplicate_key', async (_what, edit) => {
    const text = edit(JSON.stringify(makeSanction(target.doc, target.digest)));
    expectProblem(await postSanction(signText(text, PROS)), 'document.duplicate_key', 422);
  });

  const statementDups: [string, (j: string) => string][] = [
    ['result not_found then found', (j) => j.replace('"result":', '"result":"found","result":')],
    ['statementId twice', (j) => j.replace('"statementId":', `"statementId":"${randomUUID()}","statementId":`)],
    ['bank.bic twice', (j) => j.replace('"bank":{', '"bank":{"bic":"BETAKZKA",')],
    ['requestId twice', (j) => j.replace('"requestId":', `"requestId":"${randomUUID()}","requestId":`)],
  ];
  it.each(statementDups)('statement in the event loop: %s → 422 document.duplicate_key', async (_what, edit) => {
    expectProblem(await postStatement(signText(edit(statementText()), ALFA)), 'document.duplicate_key', 422);
  });
  it.each(statementDups)('statement in the worker: %s → 422 document.duplicate_key', async (_what, edit) => {
    expectProblem(await postStatement(signText(toWorker(edit(statementText())), ALFA)), 'document.duplicate_key', 422);
  });
});

describe('4. cross-tenant sanctions and reads', () => {
  const p1Signed = () => sign(makeSanction(target.doc, target.digest), PROS);
  const p2Signed = () => sign(makeSanction(target.doc, target.digest, { prosecutor: { iin: DEMO_IIN.prosecutor2, bin: DEMO_BIN.officeB } }), P2);
  it.each([
    ['prosecutor-2\'s office relays prosecutor-1\'s valid sanction', () => postSanction(p1Signed(), P2)],
    ['prosecutor-2 signs and posts himself', () => postSanction(p2Signed(), P2)],
    ['prosecutor-2, refused decision', () => postSanction(sign(makeSanction(target.doc, target.digest, { decision: 'refused', reason: 'no', prosecutor: { iin: DEMO_IIN.prosecutor2, bin: DEMO_BIN.officeB } }), P2), P2)],
    ['prosecutor-2 with an expired sanction', () => postSanction(sign(makeSanction(target.doc, target.digest, { validUntil: '2020-01-01T00:00:00Z' }), PROS), P2)],
    ['prosecutor-2 with garbage for an existing id', () => postSanction(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]), P2)],
    ['prosecutor-2 for an unknown id', () => postSanction(p2Signed(), P2, randomUUID())],
    ['another body\'s police system relays', () => postSanction(p1Signed(), 'police/investigator-2')],
    ['another body\'s police system relays prosecutor-2\'s', () => postSanction(p2Signed(), 'police/investigator-2')],
    ['prosecutor-2 reads the status', () => t.as(P2).get(`/v1/requests/${target.requestId}`)],
    ['another body reads the status', () => t.as('police/investigator-2').get(`/v1/requests/${target.requestId}`)],
    ['a bank reads the status', () => t.as(ALFA).get(`/v1/requests/${target.requestId}`)],
    ['another body lists the statements', () => t.as('police/investigator-2').get(`/v1/requests/${target.requestId}/statements`)],
    ['a bank lists the statements', () => t.as('banks/BETAKZKA').get(`/v1/requests/${target.requestId}/statements`)],
    ['prosecutor-2 lists the statements', () => t.as(P2).get(`/v1/requests/${target.requestId}/statements`)],
  ])('%s → 404 request.not_found', async (_what, call) => {
    expectProblem(await call(), 'request.not_found', 404);
  });

  it.each([
    ['a bank', ALFA],
    ['an auditor', 'auditor/auditor-1'],
  ])('%s posting a sanction → 403 auth.forbidden (the same for every id)', async (_what, who) => {
    expectProblem(await postSanction(p1Signed(), who), 'auth.forbidden', 403);
  });

  it('another bank acknowledging an unknown delivery → 404 delivery.not_found', async () => {
    expectProblem(await t.as('banks/BETAKZKA').post(`/v1/inbox/${randomUUID()}/ack`), 'delivery.not_found', 404);
  });

  it('after all of it the request is still awaiting its sanction, and prosecutor-1 can grant it', async () => {
    expect((await t.as(INV).get(`/v1/requests/${target.requestId}`)).body.state).toBe('awaiting_sanction');
  });
});

describe('5. announced bodies over the limit', () => {
  function announce(path: string, who: string, length: number): Promise<{ status: number; body: string; type: string; ms: number; closedMs: number }> {
    const id = identity(who);
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
      let res: { status: number; body: string; type: string; ms: number } | undefined;
      const req = httpsRequest({ host: '127.0.0.1', port: t.port, path, method: 'POST', agent: false, ca: ROOT_PEM(), cert: id.certPem, key: id.keyPem, headers: { 'content-type': 'application/pkcs7-mime', 'content-length': String(length) } }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => (res = { status: r.statusCode ?? 0, body, type: String(r.headers['content-type']), ms: Date.now() - t0 }));
      });
      const trickle = setInterval(() => !req.destroyed && req.write(Buffer.alloc(8, 0x30)), 100);
      const giveUp = setTimeout(() => { clearInterval(trickle); req.destroy(); reject(new Error('held for 10 s')); }, 10_000);
      req.on('error', () => undefined);
      req.once('socket', (s) => s.once('close', () => {
        clearInterval(trickle);
        clearTimeout(giveUp);
        if (res) resolve({ ...res, closedMs: Date.now() - t0 });
        else reject(new Error('closed without an answer'));
      }));
    });
  }
  const cases: [string, string, number][] = [];
  for (const n of [1024 * 1024 + 1, 2 * MB, 50 * MB, 1024 * MB]) {
    cases.push(['/v1/requests', INV, n]);
    cases.push(['sanction', PROS, n]);
  }
  for (const n of [64 * MB + 1, 100 * MB, 104_857_600, 10 * 1024 * MB]) cases.push(['/v1/statements', ALFA, n]);
  it.each(cases)('POST %s as %s announcing %d bytes → 413 at once, connection closed', async (path, who, n) => {
    const r = await announce(path === 'sanction' ? `/v1/requests/${target.requestId}/sanction` : path, who, n);
    answered++;
    expect(r.status).toBe(413);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(r.body).code).toBe('http.body_too_large');
    expect(r.ms).toBeLessThan(2000);
    expect(r.closedMs).toBeLessThan(3000);
  });
});

describe('6. hostile member names', () => {
  const IINS = [DEMO_IIN.investigator1, DEMO_IIN.prosecutor1, '900101300123', '850315300128'];
  const names: [string, string, 'top' | 'subject' | 'case' | 'scope'][] = [];
  IINS.forEach((iin) => (['top', 'subject', 'case'] as const).forEach((at) => names.push([`an IIN-like name at ${at}`, iin, at])));
  for (const n of [1000, 64 * 1024, 500 * 1024]) names.push([`a ${n}-character name`, 'Z'.repeat(n), 'top']);
  names.push(['a name with control characters', 'a\u0000b\u001bc\n', 'top']);
  names.push(['a name with / and ~', '/~/~', 'subject']);
  names.push(['a name of JSON-pointer escapes', '~0~1', 'top']);
  names.push(['a name of 10,000 slashes', '/'.repeat(10_000), 'top']);
  names.push(['a unicode name', 'Жанар Әбілқасымова', 'scope']);

  it.each(names)('%s → 422 document.schema; field bounded, the log never carries the name', async (_what, name, at) => {
    const json = JSON.stringify(makeRequest());
    const member = `${JSON.stringify(name)}:1,`;
    const text = at === 'top' ? `{${member}${json.slice(1)}` : json.replace(`"${at}":{`, `"${at}":{${member}`);
    log.length = 0;
    const res = await postRequest(signText(text, INV));
    expectProblem(res, 'document.schema', 422);
    expect(res.body.field.length).toBeLessThanOrEqual(80);
    expect(JSON.stringify(res.body).length).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 20));
    const lines = log.join('\n');
    expect(lines.length).toBeLessThan(5000);
    const probe = name.replace(/[^0-9A-Za-zЖанрӘбілқсымова ]/g, '').slice(0, 12);
    if (probe.length >= 4) expect(lines).not.toContain(probe);
  });
});

describe('7. corrupted public keys in embedded certificates', () => {
  const corrupt = (der: Buffer, cert: X509Certificate, at: (spki: Buffer) => number, xor: number): Buffer => {
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    const start = der.indexOf(spki);
    if (start < 0) throw new Error('the key is not in the document');
    const out = Buffer.from(der);
    out[start + at(spki)]! ^= xor;
    return out;
  };
  const pros = signer(PROS).cert;
  const inv = signer(INV).cert;
  const bank = signer(ALFA).cert;
  const cases: [string, () => Promise<Response>][] = [];
  for (const [at, xor, what] of [[(s: Buffer) => s.length - 65, 0x01, 'point prefix'], [(s: Buffer) => s.length - 40, 0xff, 'x coordinate'], [(s: Buffer) => 12, 0x01, 'algorithm OID'], [(s: Buffer) => s.length - 66, 0x07, 'unused bits']] as const) {
    cases.push([`EC sanction signer: ${what}`, () => postSanction(corrupt(sign(makeSanction(target.doc, target.digest), PROS), pros, at, xor))]);
    cases.push([`EC statement signer (event loop): ${what}`, () => postStatement(corrupt(signText(statementText(), ALFA), bank, at, xor))]);
    cases.push([`EC statement signer (worker): ${what}`, () => postStatement(corrupt(signText(toWorker(statementText()), ALFA), bank, at, xor))]);
  }
  for (const [at, what] of [[(s: Buffer) => 24, 'modulus'], [(s: Buffer) => 10, 'algorithm OID'], [(s: Buffer) => 19, 'modulus INTEGER tag'], [(s: Buffer) => s.length - 4, 'exponent'], [(s: Buffer) => 1, 'SPKI length'], [(s: Buffer) => 15, 'algorithm parameters']] as const) {
    cases.push([`RSA request signer: ${what}`, () => postRequest(corrupt(sign(makeRequest(), INV), inv, at, 0x06))]);
  }
  it.each(cases)('%s → 4xx problem+json, never http.internal', async (_what, call) => {
    const res = await call();
    answered++;
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('8. signing times in the future', () => {
  const ahead = [10 * 60_000, 3600_000, 24 * 3600_000, 5 * YEAR, 30 * YEAR];
  it.each(ahead)('a request signed %d ms ahead → 400 cms.signing_time_future', async (ms) => {
    expectProblem(await postRequest(signText(JSON.stringify(makeRequest()), INV, new Date(Date.now() + ms))), 'cms.signing_time_future', 400);
  });
  it.each(ahead)('a sanction signed %d ms ahead → 400 cms.signing_time_future', async (ms) => {
    expectProblem(await postSanction(signText(JSON.stringify(makeSanction(target.doc, target.digest)), PROS, new Date(Date.now() + ms))), 'cms.signing_time_future', 400);
  });
  it.each(ahead)('a statement signed %d ms ahead (worker path) → 400 cms.signing_time_future', async (ms) => {
    expectProblem(await postStatement(signText(toWorker(statementText()), ALFA, new Date(Date.now() + ms))), 'cms.signing_time_future', 400);
  });
});

describe('9. methods a path does not have', () => {
  const id = randomUUID();
  const cases: ['put' | 'delete' | 'patch', string][] = [];
  for (const path of ['/v1/requests', `/v1/requests/${id}`, `/v1/requests/${id}/sanction`, '/v1/statements', `/v1/statements/${id}`, `/v1/inbox/${id}/ack`, '/v1/log/checkpoint']) {
    for (const m of ['put', 'delete', 'patch'] as const) cases.push([m, path]);
  }
  it.each(cases)('%s %s → 405 http.method_not_allowed with Allow', async (method, path) => {
    const who = identity(INV);
    const res = await request(`https://127.0.0.1:${t.port}`)[method](path).ca(ROOT_PEM()).cert(who.certPem).key(who.keyPem);
    expectProblem(res, 'http.method_not_allowed', 405);
    expect(res.headers.allow).toMatch(/^(GET, HEAD|POST|GET, HEAD, POST)$/);
  });
});

describe('afterwards', () => {
  it('at least 100 hostile inputs were answered 4xx problem+json', () => {
    expect(answered).toBeGreaterThanOrEqual(100);
  });

  it('the gateway is alive: /healthz answers and a valid request is accepted', async () => {
    expect((await t.as().get('/healthz')).status).toBe(200);
    const doc = makeRequest();
    const res = await postRequest(sign(doc, INV));
    expect(res.status).toBe(202);
    expect(res.body.digest).toBe(sha256(JSON.stringify(doc)));
  });

  it('its heap has not grown with what it was sent (hundreds of MB announced, tens of MB posted)', () => {
    const grown = (heap() - heapBefore) / MB;
    expect(grown).toBeLessThan(64);
  });
});
