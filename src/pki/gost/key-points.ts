import type { GostCurve, GostPoint } from './curves';
import type { GostPublicKey } from './keys';
import { walker } from './double-mul';

/**
 * Validated curve points of recently used public keys, keyed by value (parameter set and
 * coordinates), so callers that re-parse a certificate still hit the cache. Validation — on the
 * curve and, for the cofactor-4 curves, in the order-q subgroup (a full scalar multiplication) —
 * runs once per key. From a key's second use on it also gets a window-4 wNAF table: certificates
 * sign many documents, and the table turns the 256 doublings of each verify into ~65 additions;
 * a key seen once keeps the plain ladder, cheaper than building a table (≈75 KB per 256-bit key).
 */
const KEY_WINDOW = 4;
const MAX_KEYS = 64;

interface Entry {
  point: GostPoint;
  uses: number;
}

const cache = new Map<string, Entry>();

/**
 * The key's validated point, or null if it is not a point of the curve's prime-order group.
 * `use` false (a parser checking the key) caches the point without counting a use.
 */
export function keyPoint(curve: GostCurve, pub: GostPublicKey, use = true): GostPoint | null {
  const id = `${pub.paramSet}/${pub.x.toString(16)}/${pub.y.toString(16)}`;
  let entry = cache.get(id);
  if (entry) {
    cache.delete(id); // re-inserted below: Map order is the LRU order
  } else {
    const point = validPoint(curve, pub);
    if (!point) return null;
    entry = { point, uses: 0 };
    if (cache.size >= MAX_KEYS) cache.delete(cache.keys().next().value!);
  }
  cache.set(id, entry);
  if (use) entry.uses++;
  if (entry.uses === 2) walker(curve).createCache(entry.point, KEY_WINDOW);
  return entry.point;
}

function validPoint(curve: GostCurve, pub: GostPublicKey): GostPoint | null {
  try {
    const P = curve.Point.fromAffine({ x: pub.x, y: pub.y });
    P.assertValidity();
    return P.is0() ? null : P;
  } catch {
    return null;
  }
}
