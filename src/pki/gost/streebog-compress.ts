import { A, C, PI } from './streebog-constants';

/**
 * The Streebog compression function g_N(h, m) (RFC 6986 §7) on 512-bit values held as 16
 * little-endian 32-bit words: word 2k is the low and 2k+1 the high half of the k-th 64-bit lane,
 * lane 0 being the least significant. JavaScript has no fast 64-bit integer, so each lane is two
 * uint32s, and the composed map L∘P∘S is one table lookup per byte — the same precomputation the
 * reference C implementations use (8 tables of 256 lanes, built here from π and A at load time).
 */

export type Block = Uint32Array; // length 16

/** T_LO/T_HI[j*256 + b] = ℓ(π(b) placed in byte j of a lane), low/high halves. */
const T_LO = new Uint32Array(8 * 256);
const T_HI = new Uint32Array(8 * 256);
(() => {
  const aLo = A.map((h) => parseInt(h.slice(8), 16) >>> 0);
  const aHi = A.map((h) => parseInt(h.slice(0, 8), 16) >>> 0);
  for (let j = 0; j < 8; j++) {
    for (let b = 0; b < 256; b++) {
      const s = PI[b]!;
      let lo = 0;
      let hi = 0;
      for (let k = 0; k < 8; k++) {
        if ((s >>> k) & 1) {
          const row = 63 - (8 * j + k);
          lo ^= aLo[row]!;
          hi ^= aHi[row]!;
        }
      }
      T_LO[j * 256 + b] = lo >>> 0;
      T_HI[j * 256 + b] = hi >>> 0;
    }
  }
})();

/** A 512-bit number written most significant byte first → words. */
export function blockFromHex(hex: string): Block {
  const out = new Uint32Array(16);
  for (let w = 0; w < 16; w++) out[w] = parseInt(hex.slice(hex.length - 8 * (w + 1), hex.length - 8 * w), 16) >>> 0;
  return out;
}

const ROUND_C: Block[] = C.map(blockFromHex);

/**
 * out = L(P(S(x ⊕ y))). Output lane i takes byte i of every input lane j (P is the transpose).
 * `out` may not alias `x` or `y`.
 */
function lpsXor(x: Block, y: Block, out: Block): void {
  // The 16 xored words, so every input byte is read once.
  const r = SCRATCH;
  for (let w = 0; w < 16; w++) r[w] = x[w]! ^ y[w]!;
  for (let i = 0; i < 8; i++) {
    const half = i < 4 ? 0 : 1;
    const shift = (i & 3) * 8;
    let lo = 0;
    let hi = 0;
    for (let j = 0; j < 8; j++) {
      const idx = (j << 8) | ((r[2 * j + half]! >>> shift) & 0xff);
      lo ^= T_LO[idx]!;
      hi ^= T_HI[idx]!;
    }
    out[2 * i] = lo;
    out[2 * i + 1] = hi;
  }
}

const SCRATCH = new Uint32Array(16);
const K = new Uint32Array(16);
const K2 = new Uint32Array(16);
const S = new Uint32Array(16);
const S2 = new Uint32Array(16);

/** h ← g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m. Synchronous, so the shared scratch blocks are safe. */
export function compress(h: Block, n: Block, m: Block): void {
  lpsXor(h, n, K);
  let k: Block = K;
  let kNext: Block = K2;
  let s: Block = S;
  let sNext: Block = S2;
  s.set(m);
  for (let round = 0; round < 12; round++) {
    lpsXor(s, k, sNext);
    lpsXor(k, ROUND_C[round]!, kNext);
    [s, sNext] = [sNext, s];
    [k, kNext] = [kNext, k];
  }
  for (let w = 0; w < 16; w++) h[w] = (h[w]! ^ s[w]! ^ k[w]! ^ m[w]!) >>> 0;
}

/** acc ← (acc + x) mod 2^512. */
export function add512(acc: Block, x: Block): void {
  let carry = 0;
  for (let w = 0; w < 16; w++) {
    const sum = acc[w]! + x[w]! + carry;
    acc[w] = sum >>> 0;
    carry = sum > 0xffffffff ? 1 : 0;
  }
}
