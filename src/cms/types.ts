import type { X509Certificate } from 'node:crypto';
import type { SignerKey } from '../pki/suites';

/** A signing identity: certificate plus private key, used by cms/sign. */
export interface SigningIdentity {
  cert: X509Certificate;
  /** node:crypto's KeyObject (RSA, EC), or a GOST R 34.10-2012 key. */
  key: SignerKey;
  /** Extra certificates to include (the chain), optional. */
  chain?: readonly X509Certificate[];
  /** RSA padding; PKCS#1 v1.5 unless 'pss'. Ignored for ECDSA. */
  rsaPadding?: 'pkcs1' | 'pss';
}

/** What cms/verify returns for a structurally valid, correctly signed document (before path validation). */
export interface VerifiedCms {
  /** The exact eContent bytes. */
  content: Buffer;
  /** Lowercase hex SHA-256 of `content`. */
  digest: string;
  signer: X509Certificate;
  /** Other certificates included in the CMS (possible intermediates). */
  certificates: X509Certificate[];
  signingTime: Date;
}
