import type { Request } from 'express';
import { Art50Error } from '../errors';

/** Decimal digits with an optional minus sign: what docs/openapi.yaml calls an integer query parameter. */
const DECIMAL_INTEGER = /^-?[0-9]{1,16}$/;

/**
 * A bounded integer query parameter, `def` when absent. Only plain decimal digits are taken:
 * `Number()` would also read `1e2`, `0x10`, ` 7` and an empty value, which the spec does not allow
 * and a generated client never sends. A repeated parameter (an array) is refused too.
 */
export function intParam(req: Request, name: string, def: number, min: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined) return def;
  const n = typeof raw === 'string' && DECIMAL_INTEGER.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new Art50Error('http.bad_request', `query parameter ${name} must be an integer from ${min} to ${max}, written in decimal digits`, { field: name });
  }
  return n;
}
