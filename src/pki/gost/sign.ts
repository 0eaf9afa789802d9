import { randomBytes } from 'node:crypto';
import { gostCurve, GostCurve } from './curves';
import { digestScalar } from './digest-scalar';
import { bigintToBe, beToBigint, GostPrivateKey, GostPublicKey } from './keys';
import { GOST_OID } from './oids';

function curveOf(paramSet: string, bits?: number): GostCurve {
  const curve = gostCurve(paramSet);
  if (!curve) throw new RangeError(`unknown GOST parameter set ${paramSet}`);
  if (bits !== undefined && curve.bits !== bits) throw new RangeError(`parameter set ${paramSet} is for ${curve.bits}-bit keys, not ${bits}`);
  return curve;
}

/** A uniform scalar in [1, q−1]: 64 extra random bits make the modular bias negligible. */
function randomScalar(q: bigint, bytes: number): bigint {
  return (beToBigint(randomBytes(bytes + 8)) % (q - 1n)) + 1n;
}

/** A new private key on the named parameter set (node:crypto randomness). */
export function generateGostKey(paramSet: string): GostPrivateKey {
  const curve = curveOf(paramSet);
  return {
    bits: curve.bits,
    paramSet,
    digestOid: paramSet.startsWith('1.2.398.') // an NCA parameter set: name the digest in the NCA arc too
      ? curve.bits === 256 ? GOST_OID.nca.digest256 : GOST_OID.nca.digest512
      : curve.bits === 256 ? GOST_OID.digest256 : GOST_OID.digest512,
    d: randomScalar(curve.q, curve.bits / 8),
  };
}

export function gostPublicKey(priv: GostPrivateKey): GostPublicKey {
  const curve = curveOf(priv.paramSet, priv.bits);
  if (priv.d <= 0n || priv.d >= curve.q) throw new RangeError('GOST private key out of range');
  const Q = curve.Point.BASE.multiply(priv.d).toAffine();
  return { bits: priv.bits, paramSet: priv.paramSet, digestOid: priv.digestOid, x: Q.x, y: Q.y };
}

/**
 * GOST R 34.10-2012 §6.1 signature over a Streebog digest of the key's size. Returns s‖r, each
 * bits/8 octets big-endian — the octets CMS SignerInfo.signature and X.509 signatureValue carry
 * (RFC 4491 §2.2.2, RFC 9215) and what `openssl pkeyutl -engine gost -sign` writes.
 */
export function gostSign(priv: GostPrivateKey, digest: Uint8Array): Buffer {
  const curve = curveOf(priv.paramSet, priv.bits);
  const len = priv.bits / 8;
  if (digest.length !== len) throw new RangeError(`GOST ${priv.bits} signs a ${len}-byte digest, got ${digest.length} bytes`);
  const { q } = curve;
  if (priv.d <= 0n || priv.d >= q) throw new RangeError('GOST private key out of range');
  const e = digestScalar(digest, q);
  for (;;) {
    const k = randomScalar(q, len);
    const r = curve.Point.BASE.multiply(k).toAffine().x % q;
    if (r === 0n) continue;
    const s = (r * priv.d + k * e) % q;
    if (s === 0n) continue;
    return Buffer.concat([bigintToBe(s, len), bigintToBe(r, len)]);
  }
}
