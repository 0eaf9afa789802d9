import type { NextFunction, Request, RequestHandler, Response } from 'express';
import getRawBody from 'raw-body';
import { Art50Error } from '../errors';

export const PKCS7_MIME = 'application/pkcs7-mime';

/**
 * A refusal sent before the body was read completely closes the connection after the answer:
 * otherwise Node (and Express's body parser) would read off the rest of the body first, which an
 * announced 100 MB body sent as a trickle turns into a connection held for the request timeout.
 */
function refuseUnread(res: Response, next: NextFunction, err: unknown): void {
  res.setHeader('Connection', 'close');
  next(err);
}

/**
 * Reads a signed document body: only application/pkcs7-mime (no content coding), at most `limit`
 * bytes. A Content-Length over the limit is answered 413 from the header, before any byte is read;
 * a chunked body stops being read as soon as it passes the limit. Either way the connection closes.
 */
export function signedBody(limit: number): RequestHandler[] {
  const requireType = (req: Request, res: Response, next: NextFunction): void => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== PKCS7_MIME && type !== 'application/pkcs7-signature' && type !== 'application/octet-stream') {
      refuseUnread(res, next, new Art50Error('http.unsupported_media_type', `post the DER bytes of the CMS document with Content-Type: ${PKCS7_MIME}`));
      return;
    }
    const coding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (coding !== 'identity') {
      refuseUnread(res, next, new Art50Error('http.unsupported_media_type', 'post the CMS document without a Content-Encoding (it is signed as sent)'));
      return;
    }
    next();
  };
  const read = (req: Request, res: Response, next: NextFunction): void => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && !/^\d{1,15}$/.test(declared)) {
      refuseUnread(res, next, new Art50Error('http.bad_request', 'the Content-Length header is not a number'));
      return;
    }
    if (declared !== undefined && Number(declared) > limit) {
      refuseUnread(res, next, new Art50Error('http.body_too_large', `the body announces ${declared} bytes; the limit for this endpoint is ${limit} bytes`));
      return;
    }
    getRawBody(req, { limit, ...(declared !== undefined ? { length: Number(declared) } : {}) }, (err, body) => {
      if (err) {
        refuseUnread(res, next, err); // mapped to problem+json by the error handler
        return;
      }
      req.body = body;
      next();
    });
  };
  return [requireType, read];
}

export function bodyBuffer(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}
