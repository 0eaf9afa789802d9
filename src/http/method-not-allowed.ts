import type { NextFunction, Request, Response } from 'express';
import { Art50Error } from '../errors';
import { sendProblem } from './problem';

/** The parts of Express 5's router (the `router` package) read here; `match` has no side effects. */
interface RouteLike {
  _methods(): string[];
}
interface LayerLike {
  route?: RouteLike;
  handle?: { stack?: LayerLike[] };
  match(path: string): { path: string } | false;
}
export interface RouterLike {
  stack: LayerLike[];
}

/** Every method some registered route answers for `path` (HEAD with GET, as Express does). */
export function allowedMethods(router: RouterLike, path: string): string[] {
  const found = new Set<string>();
  const walk = (stack: readonly LayerLike[], p: string): void => {
    for (const layer of stack) {
      const m = layer.match(p);
      if (!m) continue;
      if (layer.route) layer.route._methods().forEach((x) => found.add(x));
      else if (layer.handle?.stack) walk(layer.handle.stack, p.slice(m.path.length) || '/');
    }
  };
  walk(router.stack, path);
  return [...found].sort();
}

/**
 * Runs after every route: a path that some route serves, asked with another method, is 405 with an
 * Allow header (RFC 9110 §15.5.6), not 404. Other paths fall through to the 404 handler.
 */
export function methodNotAllowed(router: () => RouterLike) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const allowed = allowedMethods(router(), req.path);
    if (allowed.length === 0 || allowed.includes(req.method)) {
      next();
      return;
    }
    res.setHeader('Allow', allowed.join(', '));
    sendProblem(res, new Art50Error('http.method_not_allowed', `${req.method} is not allowed on this path; allowed: ${allowed.join(', ')}`), req.originalUrl);
  };
}
