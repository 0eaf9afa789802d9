import { Art50Error, ErrorCode } from '../errors';

/**
 * A small, strict ASN.1 DER/BER reader over Buffers.
 *
 * Why hand-written and not node-forge's asn1: node-forge converts the input to a binary string and
 * copies every value, which for a 64 MB bank statement means hundreds of MB of garbage and no way
 * to get back the exact bytes of an element. Here every element is a view (offsets into the input
 * Buffer): `raw()` gives the exact bytes including the header (what a signature covers), `content()`
 * the value bytes, both zero-copy `subarray`s.
 *
 * BER is accepted where senders produce it (indefinite lengths, constructed OCTET STRING, which
 * `octets()` concatenates); callers that need DER (signed attributes) check `indefinite`.
 * Every malformation — truncation, overlong length, nesting too deep, trailing bytes — throws
 * Art50Error with the configured code (default 'cms.malformed'), never a RangeError.
 *
 * Kept as one module (~300 lines) on purpose: the element parser and the typed readers share the
 * tag table, the limits and the error-code convention, and every caller imports both; split, each
 * half would be read only with the other open.
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8String: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PrintableString: 0x13,
  T61String: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  BMPString: 0x1e,
} as const;

export interface ReadLimits {
  /** Maximum nesting depth (default 48). */
  maxDepth?: number;
  /** The code every malformation is reported with (default 'cms.malformed'). */
  code?: ErrorCode;
}

/** One element: offsets into `buf`. `tag` is the first identifier octet for low tag numbers. */
export interface Asn1 {
  readonly buf: Buffer;
  /** Class bits (0x00 universal, 0x40 application, 0x80 context, 0xc0 private). */
  readonly cls: number;
  readonly constructed: boolean;
  readonly tagNo: number;
  /** Identifier octet (class | constructed | number) when tagNo < 31, else -1. */
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  /** Exclusive end of the value (before the end-of-contents octets when indefinite). */
  readonly contentEnd: number;
  /** Exclusive end of the whole element. */
  readonly end: number;
  readonly indefinite: boolean;
  readonly depth: number;
  readonly code: ErrorCode;
  readonly maxDepth: number;
}

function fail(code: ErrorCode, detail: string): never {
  throw new Art50Error(code, `malformed ASN.1: ${detail}`);
}

function readAt(buf: Buffer, pos: number, limit: number, depth: number, code: ErrorCode, maxDepth: number): Asn1 {
  if (depth > maxDepth) fail(code, `nesting deeper than ${maxDepth}`);
  const start = pos;
  if (pos >= limit) fail(code, 'truncated (identifier)');
  const id = buf[pos++]!;
  const cls = id & 0xc0;
  const constructed = (id & 0x20) !== 0;
  let tagNo = id & 0x1f;
  if (tagNo === 0x1f) {
    tagNo = 0;
    for (let i = 0; ; i++) {
      if (i >= 4) fail(code, 'tag number too large');
      if (pos >= limit) fail(code, 'truncated (tag number)');
      const b = buf[pos++]!;
      tagNo = (tagNo << 7) | (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= limit) fail(code, 'truncated (length)');
  const first = buf[pos++]!;
  let indefinite = false;
  let length = 0;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    if (!constructed) fail(code, 'indefinite length on a primitive element');
    indefinite = true;
  } else {
    const n = first & 0x7f;
    if (n > 4) fail(code, 'length field too long');
    if (pos + n > limit) fail(code, 'truncated (length)');
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos++]!;
  }
  const contentStart = pos;
  if (!indefinite) {
    if (length > limit - contentStart) fail(code, 'element longer than the data that holds it');
    const end = contentStart + length;
    return new Node(buf, id, cls, constructed, tagNo, start, contentStart, end, end, false, depth, code, maxDepth);
  }
  // Indefinite length: walk the children up to the end-of-contents octets.
  let p = contentStart;
  for (;;) {
    if (p + 2 > limit) fail(code, 'truncated (missing end-of-contents)');
    if (buf[p] === 0 && buf[p + 1] === 0) return new Node(buf, id, cls, constructed, tagNo, start, contentStart, p, p + 2, true, depth, code, maxDepth);
    p = readAt(buf, p, limit, depth + 1, code, maxDepth).end;
  }
}

/** One monomorphic class (not object spreads): this runs ~100 times per verified document. */
class Node implements Asn1 {
  readonly tag: number;
  constructor(
    readonly buf: Buffer,
    id: number,
    readonly cls: number,
    readonly constructed: boolean,
    readonly tagNo: number,
    readonly start: number,
    readonly contentStart: number,
    readonly contentEnd: number,
    readonly end: number,
    readonly indefinite: boolean,
    readonly depth: number,
    readonly code: ErrorCode,
    readonly maxDepth: number,
  ) {
    this.tag = tagNo < 31 ? id : -1;
  }
}

/** Reads the one element that must fill `buf` exactly. */
export function decode(buf: Buffer, limits: ReadLimits = {}): Asn1 {
  const code = limits.code ?? 'cms.malformed';
  if (buf.length === 0) fail(code, 'empty input');
  const node = readAt(buf, 0, buf.length, 0, code, limits.maxDepth ?? 48);
  if (node.end !== buf.length) fail(code, `${buf.length - node.end} trailing bytes`);
  return node;
}

/** The elements inside a constructed element, in order. */
export function children(node: Asn1): Asn1[] {
  if (!node.constructed) fail(node.code, 'expected a constructed element');
  const out: Asn1[] = [];
  let p = node.contentStart;
  while (p < node.contentEnd) {
    const c = readAt(node.buf, p, node.contentEnd, node.depth + 1, node.code, node.maxDepth);
    out.push(c);
    p = c.end;
  }
  return out;
}

/** Exact bytes of the element, header included (zero-copy). */
export function raw(node: Asn1): Buffer {
  return node.buf.subarray(node.start, node.end);
}

/** Value bytes of a primitive element (zero-copy). */
export function content(node: Asn1): Buffer {
  if (node.constructed) fail(node.code, 'expected a primitive element');
  return node.buf.subarray(node.contentStart, node.contentEnd);
}

/** Throws unless the element has the given identifier octet. */
export function expect(node: Asn1 | undefined, tag: number, what: string): Asn1 {
  if (!node) fail('cms.malformed', `${what} is missing`);
  if (node.tag !== tag) fail(node.code, `${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

/** children() of an element that must carry `tag`. */
export function childrenOf(node: Asn1 | undefined, tag: number, what: string): Asn1[] {
  return children(expect(node, tag, what));
}

/** Is this a context-specific [n] element (either form)? */
export function isContext(node: Asn1 | undefined, n: number): boolean {
  return node !== undefined && node.cls === 0x80 && node.tagNo === n;
}

/**
 * OCTET STRING value. Primitive: a view. Constructed (BER): the concatenated segments, each of
 * which must itself be an OCTET STRING.
 */
export function octets(node: Asn1, what = 'OCTET STRING'): Buffer {
  if ((node.tag & ~0x20) !== TAG.OCTET_STRING) fail(node.code, `${what}: expected an OCTET STRING`);
  if (!node.constructed) return content(node);
  const parts: Buffer[] = [];
  const collect = (n: Asn1): void => {
    for (const c of children(n)) {
      if ((c.tag & ~0x20) !== TAG.OCTET_STRING) fail(n.code, `${what}: segment is not an OCTET STRING`);
      if (c.constructed) collect(c);
      else parts.push(content(c));
    }
  };
  collect(node);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

export function oid(node: Asn1 | undefined, what = 'OBJECT IDENTIFIER'): string {
  const b = content(expect(node, TAG.OID, what));
  if (b.length === 0 || b.length > 64) fail('cms.malformed', `${what}: bad length`);
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    const byte = b[i]!;
    if (v === 0 && byte === 0x80) fail('cms.malformed', `${what}: non-minimal arc`);
    v = v * 128 + (byte & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) fail('cms.malformed', `${what}: arc too large`);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    } else if (i === b.length - 1) {
      fail('cms.malformed', `${what}: truncated arc`);
    }
  }
  return arcs.join('.');
}

/** INTEGER as a JS number (small values only: versions, path lengths, salt lengths). */
export function smallInt(node: Asn1 | undefined, what = 'INTEGER'): number {
  const b = content(expect(node, TAG.INTEGER, what));
  if (b.length === 0 || b.length > 6) fail('cms.malformed', `${what}: out of range`);
  if (b[0]! & 0x80) fail('cms.malformed', `${what}: negative`);
  return b.readUIntBE(0, b.length);
}

/** INTEGER as lowercase hex without leading zero octets (serial numbers). */
export function intHex(node: Asn1 | undefined, what = 'INTEGER'): string {
  const b = content(expect(node, TAG.INTEGER, what));
  if (b.length === 0) fail('cms.malformed', `${what}: empty`);
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i).toString('hex');
}

export function bool(node: Asn1 | undefined, what = 'BOOLEAN'): boolean {
  const b = content(expect(node, TAG.BOOLEAN, what));
  if (b.length !== 1) fail('cms.malformed', `${what}: bad length`);
  return b[0] !== 0;
}

/** BIT STRING: the unused-bits count and the bytes (a view). */
export function bitString(node: Asn1 | undefined, what = 'BIT STRING'): { unused: number; bytes: Buffer } {
  const b = content(expect(node, TAG.BIT_STRING, what));
  if (b.length === 0 || b[0]! > 7 || (b.length === 1 && b[0] !== 0)) fail('cms.malformed', `${what}: bad encoding`);
  return { unused: b[0]!, bytes: b.subarray(1) };
}

/** UTCTime (RFC 5280 convention: YY < 50 → 20YY) or GeneralizedTime, both ending in Z. */
export function time(node: Asn1 | undefined, what = 'time'): Date {
  if (!node) fail('cms.malformed', `${what} is missing`);
  const s = content(node).toString('latin1');
  let m: RegExpExecArray | null;
  let y: number;
  if (node.tag === TAG.UTCTime) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(s);
    if (!m) fail(node.code, `${what}: bad UTCTime`);
    const yy = Number(m[1]);
    y = yy < 50 ? 2000 + yy : 1900 + yy;
  } else if (node.tag === TAG.GeneralizedTime) {
    m = /^(\d\d\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d{1,9}))?Z$/.exec(s);
    if (!m) fail(node.code, `${what}: bad GeneralizedTime`);
    y = Number(m[1]);
  } else {
    fail(node.code, `${what}: not a time`);
  }
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number];
  const frac = node.tag === TAG.GeneralizedTime && m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) fail(node.code, `${what}: out of range`);
  const t = Date.UTC(y, mo - 1, d, h, mi, se, frac);
  if (new Date(t).getUTCDate() !== d) fail(node.code, `${what}: no such day`);
  return new Date(t);
}

/** A string value of the usual directory string types. */
export function str(node: Asn1): string {
  const b = content(node);
  switch (node.tag) {
    case TAG.UTF8String:
    case TAG.PrintableString:
    case TAG.IA5String:
    case TAG.T61String:
      return b.toString(node.tag === TAG.UTF8String ? 'utf8' : 'latin1');
    case TAG.BMPString: {
      if (b.length % 2) fail(node.code, 'odd BMPString');
      const sw = Buffer.from(b);
      return sw.swap16().toString('utf16le');
    }
    default:
      fail(node.code, `unsupported string type 0x${node.tag.toString(16)}`);
  }
}

/** The elements that fill `buf` back to back (two DER documents sent as one body). */
export function decodeAll(buf: Buffer, limits: ReadLimits = {}): Asn1[] {
  const code = limits.code ?? 'cms.malformed';
  if (buf.length === 0) fail(code, 'empty input');
  const out: Asn1[] = [];
  for (let p = 0; p < buf.length; p = out[out.length - 1]!.end) out.push(readAt(buf, p, buf.length, 0, code, limits.maxDepth ?? 48));
  return out;
}
