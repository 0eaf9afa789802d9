import fc from 'fast-check';

/**
 * Mutations of valid signed documents for property-based tests: bit flips, truncations, slices cut
 * out or inserted, and edits of DER length fields (found by walking the document's own TLV tree).
 */

export type Mutation =
  | { kind: 'flip'; bits: { at: number; bit: number }[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'cut'; at: number; len: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'length'; field: number; value: number; wide: boolean };

/** Offsets of every DER length field in `der` (the first length octet of each element). */
export function lengthFields(der: Buffer): number[] {
  const out: number[] = [];
  const walk = (start: number, end: number, depth: number): void => {
    let p = start;
    while (p < end && depth < 64) {
      const id = der[p++]!;
      if ((id & 0x1f) === 0x1f) while (p < end && der[p++]! & 0x80);
      if (p >= end) return;
      out.push(p);
      let len = der[p++]!;
      if (len & 0x80) {
        const n = len & 0x7f;
        if (n === 0 || n > 4) return;
        len = 0;
        for (let i = 0; i < n; i++) len = len * 256 + der[p++]!;
      }
      if (p + len > end) return;
      if (id & 0x20) walk(p, p + len, depth + 1);
      p += len;
    }
  };
  walk(0, der.length, 0);
  return out;
}

export function mutationArb(der: Buffer, lengths: readonly number[]): fc.Arbitrary<Mutation> {
  const pos = fc.integer({ min: 0, max: der.length - 1 });
  return fc.oneof(
    { weight: 4, arbitrary: fc.array(fc.record({ at: pos, bit: fc.integer({ min: 0, max: 7 }) }), { minLength: 1, maxLength: 8 }).map((bits) => ({ kind: 'flip' as const, bits })) },
    { weight: 2, arbitrary: pos.map((at) => ({ kind: 'truncate' as const, at })) },
    { weight: 1, arbitrary: fc.record({ at: pos, len: fc.integer({ min: 1, max: 64 }) }).map((r) => ({ kind: 'cut' as const, ...r })) },
    { weight: 1, arbitrary: fc.record({ at: pos, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }).map((r) => ({ kind: 'insert' as const, ...r })) },
    {
      weight: 4,
      arbitrary: fc.record({
        field: fc.constantFrom(...lengths),
        value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0xff, 0x7f, 0x00)),
        wide: fc.boolean(),
      }).map((r) => ({ kind: 'length' as const, ...r })),
    },
  );
}

export function applyMutation(der: Buffer, m: Mutation): Buffer {
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(der);
      for (const { at, bit } of m.bits) out[at]! ^= 1 << bit;
      return out;
    }
    case 'truncate':
      return der.subarray(0, m.at);
    case 'cut':
      return Buffer.concat([der.subarray(0, m.at), der.subarray(Math.min(der.length, m.at + m.len))]);
    case 'insert':
      return Buffer.concat([der.subarray(0, m.at), Buffer.from(m.bytes), der.subarray(m.at)]);
    case 'length': {
      const out = Buffer.from(der);
      const first = out[m.field]!;
      if (m.wide && first & 0x80 && (first & 0x7f) > 0) {
        // A long-form length: change its last octet instead of the count.
        const at = m.field + (first & 0x7f);
        if (at < out.length) out[at] = m.value;
      } else out[m.field] = m.value;
      return out;
    }
  }
}
