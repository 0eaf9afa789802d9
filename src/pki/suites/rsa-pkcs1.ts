import { constants } from 'node:crypto';
import { Art50Error, ErrorCode } from '../../errors';
import { Asn1, TAG } from '../../asn1/der';
import { OID } from '../../asn1/oids';
import { nodeKey, opensslVerify } from './node-key';
import type { DigestName, PublicKeyRef, SignatureScheme, SignatureSuite } from './types';

const MIN_BITS = 2048;
const MAX_BITS = 16384;

const HASH_OF: Record<string, DigestName | undefined> = {
  [OID.rsaEncryption]: undefined, // CMS writes the key OID; the digestAlgorithm decides
  [OID.sha256WithRSAEncryption]: 'sha256',
  [OID.sha384WithRSAEncryption]: 'sha384',
  [OID.sha512WithRSAEncryption]: 'sha512',
};

export function checkRsaKey(key: PublicKeyRef): void {
  const k = nodeKey(key);
  const bits = k?.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_BITS || bits > MAX_BITS) throw new Art50Error('cert.weak_key', `RSA key of ${bits} bits is not accepted (2048 to ${MAX_BITS})`);
  if (bits % 8 !== 0) throw new Art50Error('cert.weak_key', `RSA modulus of ${bits} bits is not a multiple of 8`);
}

export function noParams(params: Asn1 | undefined, code: ErrorCode): void {
  if (params && params.tag !== TAG.NULL) throw new Art50Error(code, 'signatureAlgorithm: unexpected parameters');
}

/** RSASSA-PKCS1-v1_5 with SHA-2 (RFC 8017). */
export const rsaPkcs1: SignatureSuite = {
  name: 'RSA PKCS#1 v1.5',
  signatureOids: Object.keys(HASH_OF),
  keyOids: [OID.rsaEncryption],
  scheme(oid: string, params: Asn1 | undefined, code: ErrorCode): SignatureScheme {
    noParams(params, code);
    return { suite: rsaPkcs1, hash: HASH_OF[oid], oid };
  },
  fits: (key) => nodeKey(key)?.asymmetricKeyType === 'rsa',
  checkKey: checkRsaKey,
  verify: (_scheme, digest, data, key, signature) => {
    const k = nodeKey(key);
    return k !== undefined && opensslVerify(digest, data, { key: k, padding: constants.RSA_PKCS1_PADDING }, signature);
  },
};
