import { gostCurve } from './curves';
import { digestScalar } from './digest-scalar';
import { doubleMulUnsafe } from './double-mul';
import { keyPoint } from './key-points';
import { beToBigint, GostPublicKey } from './keys';

/**
 * GOST R 34.10-2012 §6.2 verification of `signature` (s‖r, big-endian, as gostSign writes) over a
 * Streebog `digest` of the key's size. False for any malformed input — wrong lengths, an unknown
 * parameter set, a point off the curve or outside its prime-order group, r or s out of range —
 * never an exception.
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
    const Q = keyPoint(curve, pub);
    if (!Q) return false;
    const v = curve.Point.Fn.inv(digestScalar(digest, q));
    const z1 = (s * v) % q;
    const z2 = q - ((r * v) % q);
    const C = doubleMulUnsafe(curve, z1, Q, z2); // z1·G + z2·Q
    if (C.is0()) return false;
    return C.toAffine().x % q === r;
  } catch {
    return false;
  }
}
