import { Art50Error, ErrorCode } from '../../errors';
import type { Asn1 } from '../../asn1/der';
import { GOST_OID, GOST_PARAM_SETS, gostVerify, kalkanSignatureToRfc } from '../gost';
import { digest as computeDigest } from './digests';
import { noParams } from './rsa-pkcs1';
import type { DigestName, PublicKeyRef, SignatureScheme, SignatureSuite } from './types';

/**
 * GOST R 34.10-2012 with Streebog (RFC 9215), 256- and 512-bit keys — the algorithm of
 * Kazakhstan's GOST 34.10-2015 keys. Pure TypeScript (pki/gost): node:crypto has no GOST.
 * CMS SignerInfos written by OpenSSL's gost engine name the key algorithm as the signature
 * algorithm, so both the key OIDs and the signWithDigest OIDs are read.
 */
const HASH_OF: Record<string, DigestName> = {
  [GOST_OID.signWithDigest256]: 'streebog256',
  [GOST_OID.signWithDigest512]: 'streebog512',
  [GOST_OID.key256]: 'streebog256',
  [GOST_OID.key512]: 'streebog512',
  // NCA RK's arc for GOST 34.10-2015 / 34.11-2015 (the same algorithms), as KalkanCrypt writes it.
  [GOST_OID.nca.signWithDigest256]: 'streebog256',
  [GOST_OID.nca.signWithDigest512]: 'streebog512',
};

/**
 * KalkanCrypt (NCA's provider) writes the signature octets as r‖s little-endian — the byte
 * reversal of RFC 4491's s‖r big-endian — under NCA's signature OIDs.
 */
const KALKAN_LAYOUT = new Set<string>([GOST_OID.nca.signWithDigest256, GOST_OID.nca.signWithDigest512]);

function gostKey(key: PublicKeyRef): import('../gost').GostPublicKey | undefined {
  return key.kind === 'gost' ? key.key : undefined;
}

export const gost2012: SignatureSuite = {
  name: 'GOST R 34.10-2012',
  signatureOids: Object.keys(HASH_OF),
  keyOids: [GOST_OID.key256, GOST_OID.key512, GOST_OID.nca.key256, GOST_OID.nca.key512],
  scheme(oid: string, params: Asn1 | undefined, code: ErrorCode): SignatureScheme {
    noParams(params, code);
    return { suite: gost2012, hash: HASH_OF[oid], oid };
  },
  fits: (key) => key.kind === 'gost',
  checkKey: (key) => {
    const k = gostKey(key);
    if (!k || !GOST_PARAM_SETS.includes(k.paramSet)) throw new Art50Error('cert.weak_key', 'GOST key on an unknown parameter set');
  },
  verify: (scheme, digest, data, key, signature) => {
    const k = gostKey(key);
    // The key fixes its digest: a 256-bit key signs Streebog-256, a 512-bit key Streebog-512.
    if (!k || digest !== (k.bits === 256 ? 'streebog256' : 'streebog512') || (scheme.hash && scheme.hash !== digest)) return false;
    const rfc = KALKAN_LAYOUT.has(scheme.oid) ? kalkanSignatureToRfc(signature) : signature;
    return gostVerify(k, computeDigest(digest, data), rfc);
  },
};
