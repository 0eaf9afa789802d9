/**
 * Helpers for the typed decoders that sit beside each Lua script (`<folder>/lua/replies.ts`).
 * A reply of the wrong shape is a broken contract between a script and its decoder, not a client
 * error: it throws a plain Error naming the script, which the central handler reports as internal.
 */

/** The reply as an array of at least `min` items. */
export function replyArray(raw: unknown, script: string, min: number): unknown[] {
  if (!Array.isArray(raw) || raw.length < min) throw new Error(`${script}: expected a reply of at least ${min} items, got ${describe(raw)}`);
  return raw;
}

/** An integer reply (Lua numbers come back as integers; a numeric string or Buffer is accepted too). */
export function replyInt(v: unknown, script: string, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' || Buffer.isBuffer(v) ? Number(v.toString()) : NaN;
  if (!Number.isSafeInteger(n)) throw new Error(`${script}: ${what} is not an integer: ${describe(v)}`);
  return n;
}

/** The status code in the first place of a reply, one of the codes the script documents. */
export function replyCode<C extends number>(v: unknown, script: string, codes: readonly C[]): C {
  const n = replyInt(v, script, 'status code');
  if (!(codes as readonly number[]).includes(n)) throw new Error(`${script}: unknown status code ${n}`);
  return n as C;
}

function describe(v: unknown): string {
  if (Buffer.isBuffer(v)) return `Buffer(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  return typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : String(v);
}
