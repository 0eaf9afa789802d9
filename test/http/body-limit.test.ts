import { request as httpsRequest } from 'node:https';
import { startTestGateway, TestGateway } from '../support/gateway';
import { identity, ROOT_PEM } from '../support/identities';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ ART50_BODY_LIMIT: '8mb' }, { workers: false });
});
afterAll(async () => {
  await t.stop();
});

/**
 * Posts `total` bytes of garbage, chunked or with a Content-Length (a fresh connection each time),
 * and returns what the gateway answered.
 */
function postGarbage(path: string, who: string, total: number, chunked: boolean): Promise<{ status: number; body: string }> {
  const id = identity(who);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpsRequest({
      host: '127.0.0.1', port: t.port, path, method: 'POST', agent: false, ca: ROOT_PEM(), cert: id.certPem, key: id.keyPem,
      headers: { 'content-type': 'application/pkcs7-mime', ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(total) }) },
    }, (res) => {
      answered = true;
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const chunk = Buffer.alloc(256 * 1024, 0x41);
    // One chunk per turn of the event loop, after the handshake: the answer can overtake the upload.
    const pump = (): void => {
      if (answered || sent >= total) {
        req.end();
        return;
      }
      sent += chunk.length;
      if (req.write(chunk)) setImmediate(pump);
      else req.once('drain', pump);
    };
    req.once('socket', (sock) => sock.once('secureConnect', pump));
  });
}

describe('body limits', () => {
  it('a 50 MB body announced with Content-Length is refused before it is read', async () => {
    const r = await postGarbage('/v1/requests', 'police/investigator-1', 50 * 1024 * 1024, false);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).code).toBe('http.body_too_large');
  });

  it('a 50 MB chunked garbage body is refused at the limit (1 MB for requests, 8 MB here for statements) without being kept', async () => {
    // 413 (not the 400 cms.malformed that parsing 50 MB of 'A's would give) shows the body parser
    // stopped collecting at the limit; the rest of the upload is drained and discarded.
    const req = await postGarbage('/v1/requests', 'police/investigator-1', 50 * 1024 * 1024, true);
    expect(req.status).toBe(413);
    expect(JSON.parse(req.body).code).toBe('http.body_too_large');
    const st = await postGarbage('/v1/statements', 'banks/ALFAKZKA', 50 * 1024 * 1024, true);
    expect(st.status).toBe(413);
    expect(JSON.parse(st.body).code).toBe('http.body_too_large');
  });

  /**
   * Issue 12.5: an announced body over the limit, followed by a trickle, must be answered 413 from
   * the header at once and the connection closed — not read until the request timeout.
   */
  it.each([
    ['/v1/statements', 'banks/ALFAKZKA', 104_857_600],
    ['/v1/requests', 'police/investigator-1', 2 * 1024 * 1024],
    ['/v1/requests/00000000-0000-4000-8000-000000000000/sanction', 'prosecutor/prosecutor-1', 2 * 1024 * 1024],
  ])('POST %s as %s announcing %d bytes, then a trickle: 413 at once and the connection closed', async (path, who, announced) => {
    const r = await announceAndTrickle(path, who, announced);
    expect(r.status).toBe(413);
    expect(r.contentType).toMatch(/application\/problem\+json/);
    expect(JSON.parse(r.body).code).toBe('http.body_too_large');
    expect(r.answeredMs).toBeLessThan(2000);
    expect(r.closedMs).toBeLessThan(3000);
  });

  it('a body with a Content-Encoding is refused with 415 (the signed bytes are the bytes sent)', async () => {
    const res = await t.as('police/investigator-1').post('/v1/requests', Buffer.from([0x1f, 0x8b, 0x08, 0]))
      .set('Content-Encoding', 'gzip');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('http.unsupported_media_type');
  });
});

/** Sends the headers of a POST with Content-Length `announced`, then 16 bytes every 100 ms, never ending. */
function announceAndTrickle(path: string, who: string, announced: number): Promise<{ status: number; body: string; contentType: string; answeredMs: number; closedMs: number }> {
  const id = identity(who);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    let answered: { status: number; body: string; contentType: string; answeredMs: number } | undefined;
    const req = httpsRequest({
      host: '127.0.0.1', port: t.port, path, method: 'POST', agent: false, ca: ROOT_PEM(), cert: id.certPem, key: id.keyPem,
      headers: { 'content-type': 'application/pkcs7-mime', 'content-length': String(announced) },
    }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        answered = { status: res.statusCode ?? 0, body, contentType: String(res.headers['content-type']), answeredMs: Date.now() - t0 };
      });
    });
    const timer = setInterval(() => {
      if (!req.destroyed) req.write(Buffer.alloc(16, 0x30));
    }, 100);
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      req.destroy();
      reject(new Error(`no answer and no close within 10 s (answered: ${JSON.stringify(answered)})`));
    }, 10_000);
    req.on('error', () => undefined); // the server closing mid-upload is the point
    req.once('socket', (sock) => sock.once('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      if (!answered) reject(new Error('the connection closed without an answer'));
      else resolve({ ...answered, closedMs: Date.now() - t0 });
    }));
  });
}

