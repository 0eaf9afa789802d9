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
});
