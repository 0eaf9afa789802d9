import { createPublicKey, X509Certificate } from 'node:crypto';
import { Art50Error, ErrorCode } from '../../errors';
import { Asn1, bitString, children, childrenOf, decode, isContext, oid, raw, TAG } from '../../asn1/der';
import { parseGostSpki } from '../gost';
import { algorithmIdentifier } from './algorithm-identifier';
import { digest, digestAlgorithm, digestBytes, digestOid } from './digests';
import { ecdsa } from './ecdsa';
import { gost2012 } from './gost';
import { rsaPkcs1 } from './rsa-pkcs1';
import { rsaPss } from './rsa-pss';
import type { DigestName, PublicKeyRef, SignatureScheme, SignatureSuite } from './types';

/**
 * The registry of signature suites, used alike by CMS verification (cms/verify), certificate
 * paths (pki/chain), CRLs (pki/crl) and OCSP: algorithm OID → suite → digest, verifier and key
 * policy. Adding an algorithm is one suite file and one line here.
 */
export const SUITES: readonly SignatureSuite[] = [rsaPkcs1, rsaPss, ecdsa, gost2012];

const BY_OID = new Map<string, SignatureSuite>(SUITES.flatMap((s) => s.signatureOids.map((o) => [o, s] as const)));

export type { DigestName, PublicKeyRef, SignatureScheme, SignatureSuite, SignerKey } from './types';
export { digest, digestAlgorithm, digestBytes, digestOid };

/** Signature AlgorithmIdentifier → scheme; anything outside the suites is refused with `code`. */
export function signatureAlgorithm(node: Asn1 | undefined, code: ErrorCode = 'cms.unsupported_algorithm'): SignatureScheme {
  const { oid: o, params } = algorithmIdentifier(node, 'signatureAlgorithm');
  const suite = BY_OID.get(o);
  if (!suite) throw new Art50Error(code, `signature algorithm ${o} is not accepted (RSA PKCS#1 v1.5 or PSS, ECDSA P-256/P-384, GOST R 34.10-2012)`);
  return suite.scheme(o, params, code);
}

const GOST_KEYS = new Set<string>(gost2012.keyOids);

/** A SubjectPublicKeyInfo as a PublicKeyRef; an undecodable key throws `code`. */
export function publicKeyFromSpki(spki: Buffer, code: ErrorCode = 'cert.weak_key'): PublicKeyRef {
  let keyOid: string;
  try {
    keyOid = oid(children(children(decode(spki, { code }))[0]!)[0], 'key algorithm');
  } catch (e) {
    throw new Art50Error(code, 'the public key cannot be decoded', { cause: e });
  }
  if (GOST_KEYS.has(keyOid)) return { kind: 'gost', key: parseGostSpki(spki, code) };
  try {
    return { kind: 'node', key: createPublicKey({ key: spki, format: 'der', type: 'spki' }) };
  } catch (e) {
    throw new Art50Error(code, `the public key (${keyOid}) cannot be decoded`, { cause: e });
  }
}

interface CertParts {
  tbs: Buffer;
  innerAlg: Buffer;
  outerAlg: Asn1;
  signature: Buffer;
  spki: Buffer;
}

const parts = new WeakMap<X509Certificate, CertParts>();
const keys = new WeakMap<X509Certificate, PublicKeyRef>();

function certParts(cert: X509Certificate): CertParts {
  let p = parts.get(cert);
  if (!p) {
    const [tbsNode, outerAlg, sig] = childrenOf(decode(cert.raw, { code: 'cert.malformed' }), TAG.SEQUENCE, 'Certificate');
    const tbs = childrenOf(tbsNode, TAG.SEQUENCE, 'tbsCertificate');
    const i = isContext(tbs[0], 0) ? 1 : 0;
    const { unused, bytes } = bitString(sig, 'signatureValue');
    if (unused !== 0 || !outerAlg) throw new Art50Error('cert.malformed', 'certificate signature is malformed');
    p = { tbs: raw(tbsNode!), innerAlg: raw(tbs[i + 1]!), outerAlg, signature: Buffer.from(bytes), spki: raw(tbs[i + 5]!) };
    parts.set(cert, p);
  }
  return p;
}

/** The certificate's public key, decoded once (memoised per certificate object). Throws cert.weak_key when it cannot be decoded. */
export function publicKeyOf(cert: X509Certificate): PublicKeyRef {
  let k = keys.get(cert);
  if (!k) {
    k = publicKeyFromSpki(certParts(cert).spki);
    keys.set(cert, k);
  }
  return k;
}

/** Key policy of the suite the key belongs to (RSA 2048–16384, P-256/P-384, known GOST curves); throws cert.weak_key. */
export function checkKeyPolicy(key: PublicKeyRef): void {
  const suite = SUITES.find((s) => s.fits(key));
  if (!suite) {
    const t = key.kind === 'node' ? String(key.key.asymmetricKeyType) : 'gost';
    throw new Art50Error('cert.weak_key', `key type ${t} is not accepted (RSA, EC P-256/P-384, GOST R 34.10-2012)`);
  }
  suite.checkKey(key);
}

/**
 * One signature check through the registry: the key must fit the scheme and the digest must be the
 * one the scheme binds (when it binds one). False for any mismatch or failure; never throws.
 */
export function verifySignature(scheme: SignatureScheme, hash: DigestName, data: Buffer, key: PublicKeyRef, signature: Buffer): boolean {
  if (scheme.hash !== undefined && scheme.hash !== hash) return false;
  if (!scheme.suite.fits(key)) return false;
  return scheme.suite.verify(scheme, hash, data, key, signature);
}

/** Does `issuer`'s key verify `cert`'s signature, with an algorithm of the suites? Never throws. */
export function certificateSignedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    const p = certParts(cert);
    if (!raw(p.outerAlg).equals(p.innerAlg)) return false; // RFC 5280 §4.1.1.2: both must be the same
    const scheme = signatureAlgorithm(p.outerAlg, 'cert.malformed');
    const key = publicKeyOf(issuer);
    const hash = scheme.hash ?? 'sha256';
    return verifySignature(scheme, hash, p.tbs, key, p.signature);
  } catch {
    return false;
  }
}
