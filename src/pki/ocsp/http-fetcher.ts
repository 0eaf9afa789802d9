import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OcspFetcher } from './checker';

/**
 * The OCSP transport (RFC 6960 Appendix A.1): HTTP POST of the DER request, DER response back.
 * NCA RK's responder is plain HTTP, as is usual for OCSP (the response is signed). Bounded in
 * time and size; any non-200 answer or wrong content type is a failure.
 */
export function httpOcspFetcher(opts: { timeoutMs?: number; maxBytes?: number } = {}): OcspFetcher {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  return (url, body) =>
    new Promise<Buffer>((resolve, reject) => {
      const u = new URL(url);
      const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(u, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response', 'content-length': body.length },
        timeout: timeoutMs,
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy(new Error(`response larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode ?? '?'}`));
          const type = String(res.headers['content-type'] ?? '');
          if (!/^application\/ocsp-response\b/i.test(type)) return reject(new Error(`content type "${type}" is not application/ocsp-response`));
          resolve(Buffer.concat(chunks));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
}
