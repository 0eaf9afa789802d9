/**
 * The little DER the console needs in the browser: read a PKCS#12 file and a CMS document, and
 * write a CMS SignedData. Only definite lengths (DER) are read; anything else is refused.
 */

export interface Node {
  tag: number;
  /** The whole TLV. */
  der: Uint8Array;
  /** The value bytes. */
  value: Uint8Array;
  children?: Node[];
}

export function read(bytes: Uint8Array, offset = 0): Node {
  const tag = bytes[offset]!;
  let len = bytes[offset + 1]!;
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[offset + 2 + i]!;
    head += n;
  }
  const end = offset + head + len;
  if (end > bytes.length) throw new Error('truncated DER');
  const node: Node = { tag, der: bytes.subarray(offset, end), value: bytes.subarray(offset + head, end) };
  if (tag & 0x20) {
    node.children = [];
    let p = 0;
    while (p < node.value.length) {
      const c = read(node.value, p);
      node.children.push(c);
      p += c.der.length;
    }
  }
  return node;
}

export function child(n: Node, i: number): Node {
  const c = n.children?.[i];
  if (!c) throw new Error('unexpected DER structure');
  return c;
}

export function oid(n: Node): string {
  const v = n.value;
  const out = [Math.floor(v[0]! / 40), v[0]! % 40];
  let x = 0;
  for (let i = 1; i < v.length; i++) {
    x = x * 128 + (v[i]! & 0x7f);
    if (!(v[i]! & 0x80)) {
      out.push(x);
      x = 0;
    }
  }
  return out.join('.');
}

export function int(n: Node): number {
  return n.value.reduce((a, b) => a * 256 + b, 0);
}

// ---- writing

function len(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const size = parts.reduce((a, p) => a + p.length, 0);
  const head = [tag, ...len(size)];
  const out = new Uint8Array(head.length + size);
  out.set(head, 0);
  let p = head.length;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

export const seq = (...p: Uint8Array[]): Uint8Array => tlv(0x30, ...p);
export const set = (...p: Uint8Array[]): Uint8Array => tlv(0x31, ...p);
export const octets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const explicit = (n: number, ...p: Uint8Array[]): Uint8Array => tlv(0xa0 + n, ...p);
export const nul = (): Uint8Array => new Uint8Array([0x05, 0x00]);

export function small(n: number): Uint8Array {
  return tlv(0x02, new Uint8Array([n]));
}

/** A non-negative INTEGER from big-endian magnitude bytes. */
export function uint(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0]! & 0x80 ? new Uint8Array([0, ...v]) : v);
}

export function objectId(dotted: string): Uint8Array {
  const parts = dotted.split('.').map(Number);
  const out = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const enc = [p & 0x7f];
    let x = Math.floor(p / 128);
    while (x > 0) {
      enc.unshift(0x80 | (x & 0x7f));
      x = Math.floor(x / 128);
    }
    out.push(...enc);
  }
  return tlv(0x06, new Uint8Array(out));
}

export function utcTime(d: Date): Uint8Array {
  const p = (n: number): string => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, new TextEncoder().encode(s));
}

export function b64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function unb64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
