import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { Art50Error } from '../errors';

export const PKCS7_MIME = 'application/pkcs7-mime';

/**
 * Reads a signed document body: only application/pkcs7-mime, at most `limit` bytes. The body
 * parser stops reading as soon as the limit is passed, so a 50 MB garbage body costs at most
 * `limit` bytes of memory.
 */
export function signedBody(limit: number): RequestHandler[] {
  const requireType = (req: Request, _res: Response, next: NextFunction): void => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== PKCS7_MIME && type !== 'application/pkcs7-signature' && type !== 'application/octet-stream') {
      next(new Art50Error('http.unsupported_media_type', `post the DER bytes of the CMS document with Content-Type: ${PKCS7_MIME}`));
      return;
    }
    next();
  };
  return [requireType, express.raw({ type: () => true, limit })];
}

export function bodyBuffer(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** Ids are lowercase UUIDs (the schemas say so too), so a path id matches its Redis key exactly. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A path id: a lowercase UUID, else `code` (not found — a malformed id names nothing). */
export function uuidParam<C extends 'request.not_found' | 'statement.not_found'>(raw: unknown, code: C): string {
  const id = typeof raw === 'string' ? raw : '';
  if (!UUID_RE.test(id)) throw new Art50Error(code, `no ${code.split('.')[0]} ${id.slice(0, 64)}`);
  return id;
}
