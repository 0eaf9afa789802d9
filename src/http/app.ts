import express, { Express, Router } from 'express';
import type { Logger } from '../logger';
import { methodNotAllowed, RouterLike } from './method-not-allowed';
import { errorHandler, notFoundHandler } from './problem';

export interface AppParts {
  logger: Logger;
  /** Middleware run before every route, open ones included (metrics). */
  before?: express.RequestHandler[];
  /** Routes that need no client certificate (liveness). */
  open: Router[];
  /** Client authentication middleware, applied before `authenticated`. */
  authenticate: express.RequestHandler;
  authenticated: Router[];
  /** What of a problem's `field` the log may carry (see errorHandler). */
  logField?: (field: string) => string;
}

/** The Express app: framing, routes, one error handler. Domain code never sees Express. */
export function createApp(parts: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    next();
  });
  for (const m of parts.before ?? []) app.use(m);
  for (const r of parts.open) app.use(r);
  app.use(parts.authenticate);
  for (const r of parts.authenticated) app.use(r);
  app.use(methodNotAllowed(() => app.router as unknown as RouterLike));
  app.use(notFoundHandler);
  app.use(errorHandler(parts.logger, parts.logField));
  return app;
}
