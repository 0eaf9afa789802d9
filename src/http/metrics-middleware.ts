import type { NextFunction, Request, Response } from 'express';
import { type Metrics, UNMATCHED_ROUTE } from '../metrics/metrics';

/**
 * Express middleware, mounted before every route: on finish, counts the request under its route
 * pattern (req.route of the matched route, joined to the router's mount path) and the problem code
 * that sendProblem put in res.locals.problemCode.
 */
export function metricsMiddleware(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.on('finish', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl ?? ''}${pattern}` : UNMATCHED_ROUTE;
      const problem = res.locals.problemCode as string | undefined;
      const code = problem ?? (res.statusCode < 400 ? 'ok' : 'unknown');
      metrics.recordRequest(route, req.method, res.statusCode, code);
    });
    next();
  };
}

