/**
 * JSON pointers (RFC 6901) that name a place in a document sent from outside. They end up in
 * problem+json `field` and `detail`, so each is escaped and bounded: a member name may be 500 kB
 * long or look like personal data (an IIN).
 */

export const MAX_SEGMENT_CHARS = 64;
export const MAX_POINTER_CHARS = 256;
const ELLIPSIS = '…';

function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + ELLIPSIS : s;
}

/** One reference token, escaped (~ → ~0, / → ~1) and cut to MAX_SEGMENT_CHARS. */
export function pointerSegment(token: string | number): string {
  return cut(String(token).replace(/~/g, '~0').replace(/\//g, '~1'), MAX_SEGMENT_CHARS);
}

/** A pointer from raw tokens: "/a/0/b~1c". */
export function jsonPointer(tokens: readonly (string | number)[]): string {
  return boundPointer(tokens.map((t) => `/${pointerSegment(t)}`).join(''));
}

/** A pointer built elsewhere (Ajv's instancePath, a worker's reply), each segment and the whole bounded. */
export function boundPointer(pointer: string): string {
  if (pointer.length <= MAX_SEGMENT_CHARS) return pointer;
  const bounded = pointer.split('/').map((s) => cut(s, MAX_SEGMENT_CHARS)).join('/');
  return cut(bounded, MAX_POINTER_CHARS);
}

/**
 * For logs: a pointer with every segment that is not an array index or a member name some schema
 * defines replaced by "*". Document member names may be personal data; the schemas' own are not.
 */
export function redactPointer(known: ReadonlySet<string>): (pointer: string) => string {
  return (pointer) =>
    boundPointer(pointer)
      .split('/')
      .map((s, i) => (i === 0 || /^\d{1,9}$/.test(s) || known.has(s) ? s : '*'))
      .join('/');
}

/** Every member name the given JSON Schemas define (under `properties` or `required`), at any depth. */
export function schemaMemberNames(schemas: readonly unknown[]): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') Object.keys(o.properties).forEach((k) => names.add(k));
    if (Array.isArray(o.required)) o.required.forEach((k) => typeof k === 'string' && names.add(k));
    Object.values(o).forEach(walk);
  };
  schemas.forEach(walk);
  return names;
}
