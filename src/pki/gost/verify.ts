import { gostCurve, GostCurve, GostPoint } from './curves';
import { digestScalar } from './digest-scalar';
import { beToBigint, GostPublicKey } from './keys';

/**
 * The validated curve point of a public key, computed once per key object: the on-curve and
 * prime-order-subgroup checks (the latter a full scalar multiplication on the cofactor-4 curves)
 * cost more than a verify, and a certificate's key is verified many times.
 */
const points = new WeakMap<GostPublicKey, GostPoint | null>();

function pointOf(pub: GostPublicKey, curve: GostCurve): GostPoint | null {
  if (points.has(pub)) return points.get(pub)!;
  let point: GostPoint | null = null;
  try {
    const P = curve.Point.fromAffine({ x: pub.x, y: pub.y });
    P.assertValidity(); // on the curve and, for cofactor 4, in the subgroup of order q
    if (!P.is0()) point = P;
  } catch {
    point = null;
  }
  points.set(pub, point);
  return point;
}

/**
 * GOST R 34.10-2012 §6.2 verification of `signature` (s‖r, big-endian, as gostSign writes) over a
 * Streebog `digest` of the key's size. False for any malformed input — wrong lengths, an unknown
 * parameter set, a point off the curve, r or s out of range — never an exception.
 */
export function gostVerify(pub: GostPublicKey, digest: Uint8Array, signature: Uint8Array): boolean {
  try {
    const curve = gostCurve(pub.paramSet);
    if (!curve || curve.bits !== pub.bits) return false;
    const len = pub.bits / 8;
    if (digest.length !== len || signature.length !== 2 * len) return false;
    const { q } = curve;
    const s = beToBigint(signature.subarray(0, len));
    const r = beToBigint(signature.subarray(len));
    if (r <= 0n || r >= q || s <= 0n || s >= q) return false;
    const Q = pointOf(pub, curve);
    if (!Q) return false;
    const v = curve.Point.Fn.inv(digestScalar(digest, q));
    const z1 = (s * v) % q;
    const z2 = q - ((r * v) % q);
    // C = z1·P + z2·Q: the generator has a precomputed window table, Q is a public value.
    const C = curve.Point.BASE.multiplyUnsafe(z1).add(Q.multiplyUnsafe(z2));
    if (C.is0()) return false;
    return C.toAffine().x % q === r;
  } catch {
    return false;
  }
}
