import { bitString, children, decode, octets, TAG } from '../../asn1/der';
import { algId, octetString, seq, tlv } from '../../asn1/der-write';
import { Art50Error, ErrorCode } from '../../errors';
import { gostCurve } from './curves';
import { decodeKeyAlgorithm, encodeKeyParams, keyAlgorithmOid, withCode } from './key-params';
import { keyPoint } from './key-points';
import { bigintToLe, GostPublicKey, leToBigint } from './keys';

/**
 * SubjectPublicKeyInfo of a GOST R 34.10-2012 key (RFC 9215 §4, RFC 4491 §2.3.2): the key
 * algorithm with its parameters, and a BIT STRING holding an OCTET STRING of x‖y, each coordinate
 * little-endian in bits/8 octets. The point must lie in the prime-order group of its curve.
 * Every defect is an Art50Error with `code` (default 'cert.malformed').
 */
export function parseGostSpki(spkiDer: Buffer, code: ErrorCode = 'cert.malformed'): GostPublicKey {
  return withCode(code, 'GOST public key', () => {
    const [alg, key, extra] = children(decode(spkiDer, { code }));
    if (!alg || !key || extra) throw new Art50Error(code, 'GOST public key: SubjectPublicKeyInfo must have two elements');
    const { bits, paramSet, digestOid } = decodeKeyAlgorithm(alg, code);
    const { unused, bytes } = bitString(key, 'subjectPublicKey');
    if (unused !== 0) throw new Art50Error(code, 'GOST public key: BIT STRING has unused bits');
    const inner = decode(bytes, { code });
    if (inner.tag !== TAG.OCTET_STRING) throw new Art50Error(code, 'GOST public key: value is not an OCTET STRING');
    const point = octets(inner);
    const len = bits / 8;
    if (point.length !== 2 * len) throw new Art50Error(code, `GOST public key: expected ${2 * len} octets of x‖y, found ${point.length}`);
    const pub: GostPublicKey = { bits, paramSet, digestOid, x: leToBigint(point.subarray(0, len)), y: leToBigint(point.subarray(len)) };
    // Validated once here and remembered, so the first verify with this key does not repeat it.
    if (!keyPoint(gostCurve(paramSet)!, pub, false)) throw new Art50Error(code, 'GOST public key: not a point of the prime-order group of its curve');
    return pub;
  });
}

export function encodeGostSpki(pub: GostPublicKey): Buffer {
  const len = pub.bits / 8;
  const point = octetString(Buffer.concat([bigintToLe(pub.x, len), bigintToLe(pub.y, len)]));
  return seq(algId(keyAlgorithmOid(pub), encodeKeyParams(pub)), tlv(0x03, Buffer.from([0]), point));
}
