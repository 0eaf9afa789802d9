import { constants, KeyObject, verify as cryptoVerify } from 'node:crypto';
import { Art50Error, ErrorCode } from '../errors';
import { Asn1, children, expect, isContext, oid, smallInt, TAG } from '../asn1/der';
import { OID } from '../asn1/oids';

/**
 * The allowlist of digest and signature algorithms (DESIGN §3: SHA-2, RSA PKCS#1 v1.5 or PSS,
 * ECDSA). Everything here is decided from the AlgorithmIdentifiers alone, before any crypto runs.
 */

export type HashName = 'sha256' | 'sha384' | 'sha512';

const DIGESTS: Record<string, HashName> = { [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };
const HASH_BYTES: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };

export type SignatureScheme =
  | { kind: 'rsa-pkcs1'; hash: HashName | undefined }
  | { kind: 'rsa-pss'; hash: HashName; saltLength: number }
  | { kind: 'ecdsa'; hash: HashName };

/** AlgorithmIdentifier → { oid, params }. Parameters must be absent or NULL unless said otherwise. */
export function algorithmIdentifier(node: Asn1 | undefined, what: string): { oid: string; params: Asn1 | undefined } {
  const parts = children(expect(node, TAG.SEQUENCE, what));
  if (parts.length < 1 || parts.length > 2) throw new Art50Error('cms.malformed', `${what}: bad AlgorithmIdentifier`);
  return { oid: oid(parts[0], what), params: parts[1] };
}

function noParams(params: Asn1 | undefined, what: string, code: ErrorCode): void {
  if (params && params.tag !== TAG.NULL) throw new Art50Error(code, `${what}: unexpected parameters`);
}

export function digestAlgorithm(node: Asn1 | undefined, code: ErrorCode = 'cms.algorithm_unsupported'): HashName {
  const { oid: o, params } = algorithmIdentifier(node, 'digestAlgorithm');
  const hash = DIGESTS[o];
  if (!hash) throw new Art50Error(code, `digest algorithm ${o} is not accepted (SHA-256, SHA-384, SHA-512 are)`);
  noParams(params, 'digestAlgorithm', code);
  return hash;
}

function pssParams(params: Asn1 | undefined, code: ErrorCode): { hash: HashName; saltLength: number } {
  if (!params || params.tag !== TAG.SEQUENCE) throw new Art50Error(code, 'RSASSA-PSS without parameters (SHA-1 defaults) is not accepted');
  let hash: HashName | undefined;
  let mgfHash: HashName | undefined;
  let saltLength = 20;
  for (const p of children(params)) {
    const inner = children(p)[0];
    if (isContext(p, 0)) hash = digestAlgorithm(inner, code);
    else if (isContext(p, 1)) {
      const mgf = algorithmIdentifier(inner, 'maskGenAlgorithm');
      if (mgf.oid !== OID.mgf1) throw new Art50Error(code, `mask generation ${mgf.oid} is not accepted`);
      mgfHash = digestAlgorithm(mgf.params, code);
    } else if (isContext(p, 2)) saltLength = smallInt(inner, 'saltLength');
    else if (isContext(p, 3)) {
      if (smallInt(inner, 'trailerField') !== 1) throw new Art50Error(code, 'RSASSA-PSS trailer field must be 1');
    } else throw new Art50Error('cms.malformed', 'RSASSA-PSS parameters: unknown field');
  }
  if (!hash || mgfHash !== hash) throw new Art50Error(code, 'RSASSA-PSS must name a SHA-2 hash and MGF1 with the same hash');
  return { hash, saltLength };
}

/** Signature AlgorithmIdentifier → scheme; refuses anything outside the allowlist with `code`. */
export function signatureAlgorithm(node: Asn1 | undefined, code: ErrorCode = 'cms.algorithm_unsupported'): SignatureScheme {
  const { oid: o, params } = algorithmIdentifier(node, 'signatureAlgorithm');
  switch (o) {
    case OID.rsaEncryption:
      noParams(params, 'signatureAlgorithm', code);
      return { kind: 'rsa-pkcs1', hash: undefined };
    case OID.sha256WithRSAEncryption:
    case OID.sha384WithRSAEncryption:
    case OID.sha512WithRSAEncryption:
      noParams(params, 'signatureAlgorithm', code);
      return { kind: 'rsa-pkcs1', hash: o === OID.sha256WithRSAEncryption ? 'sha256' : o === OID.sha384WithRSAEncryption ? 'sha384' : 'sha512' };
    case OID.rsassaPss:
      return { kind: 'rsa-pss', ...pssParams(params, code) };
    case OID.ecdsaWithSHA256:
    case OID.ecdsaWithSHA384:
    case OID.ecdsaWithSHA512:
      if (params) throw new Art50Error(code, 'ECDSA signature algorithm must not carry parameters');
      return { kind: 'ecdsa', hash: o === OID.ecdsaWithSHA256 ? 'sha256' : o === OID.ecdsaWithSHA384 ? 'sha384' : 'sha512' };
    default:
      throw new Art50Error(code, `signature algorithm ${o} is not accepted`);
  }
}

/** Does the key type fit the scheme? (node would otherwise run ECDSA for an "RSA" signature.) */
export function schemeFitsKey(scheme: SignatureScheme, key: KeyObject): boolean {
  const t = key.asymmetricKeyType;
  if (scheme.kind === 'ecdsa') return t === 'ec';
  if (scheme.kind === 'rsa-pss') return t === 'rsa' || t === 'rsa-pss';
  return t === 'rsa';
}

/** One signature check with node:crypto (OpenSSL). `hash` is the digest the scheme signs with. */
export function verifySignature(scheme: SignatureScheme, hash: HashName, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    if (scheme.kind === 'ecdsa') return cryptoVerify(hash, data, { key, dsaEncoding: 'der' }, signature);
    if (scheme.kind === 'rsa-pss') {
      if (scheme.saltLength > HASH_BYTES[hash] * 2) return false;
      return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }, signature);
    }
    return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

export function hashBytes(h: HashName): number {
  return HASH_BYTES[h];
}
