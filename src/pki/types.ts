import type { X509Certificate } from 'node:crypto';

/** What a certificate is used for; decides which keyUsage/EKU the leaf must carry. */
/** 'encryption': a police body's encryption certificate, which banks encrypt statements to (keyEncipherment). */
export type CertificatePurpose = 'signature' | 'tls-client' | 'tls-server' | 'seal' | 'encryption';

/** Subject fields in the NCA convention, read once from a certificate. */
export interface NcaSubject {
  cn?: string;
  /** 12 digits, from serialNumber "IIN…" (people only). */
  iin?: string;
  /** 12 digits, from OU "BIN…". */
  bin?: string;
  o?: string;
}

export interface ValidatedCertificate {
  cert: X509Certificate;
  /** Lowercase hex SHA-256 of the DER certificate. */
  fingerprint: string;
  subject: NcaSubject;
  notBefore: Date;
  notAfter: Date;
  /** Leaf first, trust anchor last. */
  chain: X509Certificate[];
}

/**
 * Path validation to the configured trust anchors (pki/chain). Synchronous: trust material and
 * CRLs are loaded ahead of time and OCSP statuses are fetched by prepare(), so validation never does I/O. Throws Art50Error with a `cert.*` code.
 */
export interface PathValidator {
  validate(
    leaf: X509Certificate,
    opts: { purpose: CertificatePurpose; at?: Date; intermediates?: readonly X509Certificate[] },
  ): ValidatedCertificate;
  /**
   * The one asynchronous step: fetches what validate() will need from the network (OCSP
   * statuses) into a cache. Never throws; callers that can wait call it before validate().
   */
  prepare?(
    leaf: X509Certificate,
    opts: { purpose: CertificatePurpose; at?: Date; intermediates?: readonly X509Certificate[] },
  ): Promise<void>;
}
