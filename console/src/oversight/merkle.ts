/**
 * RFC 9162 §2.1.4.2 consistency verification in the browser (WebCrypto SHA-256), ported from the
 * gateway's own verifier (src/log/merkle verify): same steps, same refusals — an empty first tree
 * proves nothing, equal sizes need an empty proof and equal roots, every hash is 32 bytes.
 */

const HASH_SIZE = 32;

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
}

/** Interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(new Uint8Array([1]), left, right);
}

/** Leaf: SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Promise<Uint8Array> {
  return sha256(new Uint8Array([0]), entry);
}

export const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

const isPowerOfTwo = (n: number): boolean => n > 0 && 2 ** Math.floor(Math.log2(n)) === n;

/** The two roots a consistency proof implies, or null if the proof has the wrong shape. */
export async function rootsFromConsistencyProof(first: number, second: number, firstRoot: Uint8Array, proof: readonly Uint8Array[]): Promise<{ first: Uint8Array; second: Uint8Array } | null> {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return null;
  if (first === second || first === 0) return proof.length === 0 ? { first: firstRoot, second: firstRoot } : null;
  if (proof.length === 0) return null;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? { first: fr, second: sr } : null;
}

export async function verifyConsistency(first: number, second: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[]): Promise<boolean> {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first <= 0 || first > second) return false;
  if (first === second) return proof.length === 0 && equalBytes(firstRoot, secondRoot);
  if (![firstRoot, secondRoot, ...proof].every((h) => h.length === HASH_SIZE)) return false;
  const r = await rootsFromConsistencyProof(first, second, firstRoot, proof);
  return r !== null && equalBytes(r.first, firstRoot) && equalBytes(r.second, secondRoot);
}
