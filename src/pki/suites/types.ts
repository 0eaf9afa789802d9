import type { KeyObject } from 'node:crypto';
import type { Asn1 } from '../../asn1/der';
import type { ErrorCode } from '../../errors';
import type { GostPrivateKey, GostPublicKey } from '../gost';

/** Digests a signature may be computed over: SHA-2 by node:crypto, Streebog in TypeScript. */
export type DigestName = 'sha256' | 'sha384' | 'sha512' | 'streebog256' | 'streebog512';

/**
 * A public key of any accepted algorithm: OpenSSL's KeyObject where node:crypto decodes it,
 * the plain GOST value where it does not. Read once from a SubjectPublicKeyInfo (publicKeyOf).
 */
export type PublicKeyRef = { kind: 'node'; key: KeyObject } | { kind: 'gost'; key: GostPublicKey };

/** A private key that can sign documents: node:crypto's, or a GOST key (signed in TypeScript). */
export type SignerKey = KeyObject | GostPrivateKey;

/** One signature AlgorithmIdentifier, understood: which suite, and the digest it binds (if any). */
export interface SignatureScheme {
  suite: SignatureSuite;
  /** Digest fixed by the algorithm (sha256WithRSAEncryption, PSS params, GOST's Streebog); undefined: the CMS digestAlgorithm decides. */
  hash: DigestName | undefined;
  /** RSASSA-PSS salt length. */
  saltLength?: number;
  /** For messages: the algorithm's OID as given. */
  oid: string;
}

/**
 * A signature suite: everything about one family of algorithms, so that adding an algorithm is one
 * file registered in suites/index.ts. Every decision is taken from AlgorithmIdentifiers and keys
 * alone, before any crypto runs (panva/jose's rule).
 */
export interface SignatureSuite {
  readonly name: string;
  /** signatureAlgorithm OIDs this suite reads. */
  readonly signatureOids: readonly string[];
  /** SubjectPublicKeyInfo algorithm OIDs of the keys this suite verifies with. */
  readonly keyOids: readonly string[];
  /** AlgorithmIdentifier parameters → scheme; anything outside the allowlist throws `code`. */
  scheme(oid: string, params: Asn1 | undefined, code: ErrorCode): SignatureScheme;
  /** The key type fits the scheme (node would otherwise run ECDSA for an "RSA" signature). */
  fits(key: PublicKeyRef): boolean;
  /** Key policy for certificates (size, curve); throws cert.weak_key. */
  checkKey(key: PublicKeyRef): void;
  /** One signature check over `data` hashed with `digest`; false for any failure, never throws. */
  verify(scheme: SignatureScheme, digest: DigestName, data: Buffer, key: PublicKeyRef, signature: Buffer): boolean;
}
