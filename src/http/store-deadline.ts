import type { RequestHandler } from 'express';
import { Art50Error } from '../errors';
import { STORE_UNAVAILABLE } from '../redis/errors';
import { sendProblem } from './problem';

/**
 * During a Redis outage every call answers within about two seconds. Commands already fail at once
 * while the connection is down; this covers the rest (a command in flight when Redis died, a Redis
 * that hangs): a call still unanswered after `afterMs` whose store does not answer a PING in time
 * gets 503 http.not_ready with Retry-After. A slow call with a healthy store (a large upload) is
 * left alone. The work behind a call answered this way may still complete — hence the wording.
 */
export function storeDeadline(opts: { afterMs: number; storeUp: () => Promise<boolean> }): RequestHandler {
  return (req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      void opts.storeUp().then((up) => {
        if (up || res.headersSent) return;
        sendProblem(res, new Art50Error('http.not_ready', STORE_UNAVAILABLE), req.originalUrl);
      });
    }, opts.afterMs);
    timer.unref();
    const clear = (): void => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
  };
}
