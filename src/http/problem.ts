import type { NextFunction, Request, Response } from 'express';
import { Art50Error, ErrorCode, isArt50Error, titleOf } from '../errors';
import type { Logger } from '../logger';
import { isRedisUnavailable, STORE_UNAVAILABLE } from '../redis/errors';

/** RFC 9457 body. `type` is a stable URN per code, so clients may key on either. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  field?: string;
  [extra: string]: unknown;
}

export function toProblem(err: Art50Error, instance?: string): Problem {
  const p: Problem = {
    type: `urn:art50:problem:${err.code}`,
    title: titleOf(err.code),
    status: err.status,
    detail: err.detail,
    code: err.code,
  };
  if (instance) p.instance = instance;
  if (err.field) p.field = err.field;
  if (err.extra) Object.assign(p, err.extra);
  return p;
}

export function sendProblem(res: Response, err: Art50Error, instance?: string): void {
  const problem = toProblem(err, instance);
  res.locals.problemCode = err.code;
  if (err.status === 503) res.setHeader('Retry-After', '5');
  if (err.status === 401) res.setHeader('WWW-Authenticate', 'Mutual TLS');
  if (err.status === 429) res.setHeader('Retry-After', String(typeof err.extra?.retryAfter === 'number' ? err.extra.retryAfter : 60));
  res.status(err.status).type('application/problem+json').send(JSON.stringify(problem));
}

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  limit?: number;
}

/** Errors raised by Express's body parsers, mapped to our codes. */
function fromFramework(e: unknown): Art50Error | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const b = e as BodyParserError;
  switch (b.type) {
    case 'entity.too.large':
      return new Art50Error('http.body_too_large', `the body is larger than the limit of ${b.limit ?? 'the configured'} bytes for this endpoint`);
    case 'entity.parse.failed':
      return new Art50Error('http.bad_json', 'the body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new Art50Error('http.unsupported_media_type', 'the body encoding or charset is not supported');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new Art50Error('http.bad_request', 'the body could not be read completely');
    default:
      if (isRedisUnavailable(e)) return new Art50Error('http.not_ready', STORE_UNAVAILABLE);
      // Express 5 raises a URIError (status 400) for a path with broken percent-encoding.
      if (e instanceof URIError || (b.status ?? b.statusCode ?? 500) < 500) return new Art50Error('http.bad_request', 'the request could not be read (malformed URL, header or body)');
      return undefined;
  }
}

/**
 * The one error handler: domain errors become problem+json; anything else is a logged 500 without a
 * stack. `logField` turns a problem's `field` into what the log may carry (member names of a
 * document may be personal data); without it the log carries no field.
 */
export function errorHandler(logger: Logger, logField?: (field: string) => string) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    // Already answered (e.g. 503 by the store deadline while Redis was away): the late outcome is only logged.
    if (res.headersSent) {
      logger.info('outcome after the response was sent', { method: req.method, path: req.path, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    const known = isArt50Error(err) ? err : fromFramework(err);
    if (known) {
      const field = known.field !== undefined && logField ? logField(known.field) : undefined;
      logger.info('request refused', { code: known.code, status: known.status, method: req.method, path: req.path, ...(field !== undefined ? { field } : {}) });
      sendProblem(res, known, req.originalUrl);
      return;
    }
    const e = err as Error;
    logger.error('unexpected error', { method: req.method, path: req.path, error: e?.message, stack: e?.stack });
    if (res.headersSent) return;
    sendProblem(res, new Art50Error('http.internal', 'the gateway could not complete this request; nothing was recorded, please retry'), req.originalUrl);
  };
}

export function notFoundHandler(req: Request, res: Response): void {
  sendProblem(res, new Art50Error('http.not_found', `no such endpoint: ${req.method} ${req.path}`), req.originalUrl);
}
