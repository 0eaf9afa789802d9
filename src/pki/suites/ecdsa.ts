import { Art50Error, ErrorCode } from '../../errors';
import type { Asn1 } from '../../asn1/der';
import { OID } from '../../asn1/oids';
import { nodeKey, opensslVerify } from './node-key';
import type { DigestName, SignatureScheme, SignatureSuite } from './types';

const HASH_OF: Record<string, DigestName> = {
  [OID.ecdsaWithSHA256]: 'sha256',
  [OID.ecdsaWithSHA384]: 'sha384',
  [OID.ecdsaWithSHA512]: 'sha512',
};
const CURVES = new Set(['prime256v1', 'secp384r1']);

/** ECDSA on P-256 and P-384 with SHA-2 (RFC 5758), DER-encoded signatures. */
export const ecdsa: SignatureSuite = {
  name: 'ECDSA',
  signatureOids: Object.keys(HASH_OF),
  keyOids: ['1.2.840.10045.2.1'],
  scheme(oid: string, params: Asn1 | undefined, code: ErrorCode): SignatureScheme {
    if (params) throw new Art50Error(code, 'ECDSA signature algorithm must not carry parameters');
    return { suite: ecdsa, hash: HASH_OF[oid], oid };
  },
  fits: (key) => nodeKey(key)?.asymmetricKeyType === 'ec',
  checkKey: (key) => {
    const curve = nodeKey(key)?.asymmetricKeyDetails?.namedCurve;
    if (!curve || !CURVES.has(curve)) throw new Art50Error('cert.weak_key', `EC key on ${String(curve ?? 'an unnamed curve')} is not accepted (P-256, P-384)`);
  },
  verify: (_scheme, digest, data, key, signature) => {
    const k = nodeKey(key);
    return k !== undefined && opensslVerify(digest, data, { key: k, dsaEncoding: 'der' }, signature);
  },
};
