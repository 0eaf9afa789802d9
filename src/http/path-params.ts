import { Art50Error } from '../errors';

/** Ids are lowercase UUIDs (the schemas say so too), so a path id matches its Redis key exactly. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A path id: a lowercase UUID, else `code` (not found — a malformed id names nothing). */
export function uuidParam<C extends 'request.not_found' | 'statement.not_found'>(raw: unknown, code: C): string {
  const id = typeof raw === 'string' ? raw : '';
  if (!UUID_RE.test(id)) throw new Art50Error(code, `no ${code.split('.')[0]} ${id.slice(0, 64)}`);
  return id;
}
