import type { GostBits } from './streebog';

/**
 * GOST R 34.10-2012 keys as plain values. `paramSet` is the curve's parameter-set OID and
 * `digestOid` the Streebog variant the key is bound to (GOST_OID.digest256/512), taken from the
 * key's algorithm parameters or, where they omit it (tc26 parameter sets), implied by `bits`.
 */
export interface GostPublicKey {
  bits: GostBits;
  paramSet: string;
  digestOid: string;
  x: bigint;
  y: bigint;
}

export interface GostPrivateKey {
  bits: GostBits;
  paramSet: string;
  digestOid: string;
  d: bigint;
}

/** Unsigned integer from big-endian bytes. */
export function beToBigint(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
}

/** Unsigned integer from little-endian bytes (how GOST keys, coordinates and digests are read). */
export function leToBigint(bytes: Uint8Array): bigint {
  return beToBigint(Buffer.from(bytes).reverse());
}

/** Exactly `len` big-endian bytes; throws if the value does not fit. */
export function bigintToBe(n: bigint, len: number): Buffer {
  const hex = n.toString(16);
  if (n < 0n || hex.length > len * 2) throw new RangeError(`integer does not fit in ${len} bytes`);
  return Buffer.from(hex.padStart(len * 2, '0'), 'hex');
}

export function bigintToLe(n: bigint, len: number): Buffer {
  return bigintToBe(n, len).reverse();
}
