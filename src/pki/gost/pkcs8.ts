import { children, content, decode, octets, smallInt, TAG } from '../../asn1/der';
import { algId, int, octetString, seq } from '../../asn1/der-write';
import { Art50Error, ErrorCode } from '../../errors';
import { gostCurve } from './curves';
import { decodeKeyAlgorithm, encodeKeyParams, keyAlgorithmOid, withCode } from './key-params';
import { beToBigint, bigintToLe, GostPrivateKey, leToBigint } from './keys';

/**
 * PKCS#8 PrivateKeyInfo of a GOST R 34.10-2012 key, as `openssl genpkey -engine gost` writes it.
 * The privateKey OCTET STRING holds, in the forms the gost engine reads (gost_ameth.c
 * priv_decode_gost, tried in its order):
 *  - the raw value, little-endian, bits/8 octets — what the engine writes; or that followed by
 *    masks (CryptoPro's masked form: d = value·mask₁·…·maskₙ mod q), any multiple of bits/8;
 *  - an inner OCTET STRING of the little-endian value (the engine's LEGACY_PK_WRAP format);
 *  - an inner INTEGER (big-endian, as older tools wrote).
 * Every defect is an Art50Error with `code` (default 'cert.malformed').
 */
export function parseGostPkcs8(der: Buffer, code: ErrorCode = 'cert.malformed'): GostPrivateKey {
  return withCode(code, 'GOST private key', () => {
    const [version, alg, key] = children(decode(der, { code }));
    if (!version || !alg || !key) throw new Art50Error(code, 'GOST private key: PrivateKeyInfo is incomplete');
    const v = smallInt(version, 'version');
    if (v !== 0 && v !== 1) throw new Art50Error(code, `GOST private key: unknown PKCS#8 version ${v}`);
    const { bits, paramSet, digestOid } = decodeKeyAlgorithm(alg, code);
    if (key.tag !== TAG.OCTET_STRING) throw new Art50Error(code, 'GOST private key: privateKey is not an OCTET STRING');
    const q = gostCurve(paramSet)!.q;
    const d = privateValue(octets(key), bits / 8, q, code);
    if (d <= 0n || d >= q) throw new Art50Error(code, 'GOST private key: value out of range for its curve');
    return { bits, paramSet, digestOid, d };
  });
}

function privateValue(buf: Buffer, len: number, q: bigint, code: ErrorCode): bigint {
  if (buf.length > 0 && buf.length % len === 0) {
    let d = leToBigint(buf.subarray(0, len));
    for (let off = len; off < buf.length; off += len) d = (d * leToBigint(buf.subarray(off, off + len))) % q;
    return d;
  }
  const inner = decode(buf, { code });
  if (inner.tag === TAG.OCTET_STRING) {
    const value = octets(inner);
    if (value.length !== 32 && value.length !== 64) throw new Art50Error(code, 'GOST private key: wrapped value must be 32 or 64 octets');
    return leToBigint(value);
  }
  if (inner.tag === TAG.INTEGER) {
    const value = content(inner);
    if (value.length === 0 || value[0]! & 0x80) throw new Art50Error(code, 'GOST private key: INTEGER value is not positive');
    return beToBigint(value);
  }
  throw new Art50Error(code, 'GOST private key: unknown encoding of the private value');
}

/** PKCS#8 in the engine's default form (raw little-endian value), readable by `openssl pkey -engine gost`. */
export function encodeGostPkcs8(priv: GostPrivateKey): Buffer {
  return seq(int(0), algId(keyAlgorithmOid(priv), encodeKeyParams(priv)), octetString(bigintToLe(priv.d, priv.bits / 8)));
}

