import type { X509Certificate } from 'node:crypto';
import { Art50Error } from '../errors';
import { CertInfo, certInfo } from './cert-info';
import type { CrlSource } from './crl-source';
import type { OcspChecker, RevocationOrder } from './ocsp/checker';
import { checkEndEntityProfile, checkPath, checkPurpose, checkValidity, withinValidity } from './path-rules';
import { CertPath, PathSearch, signedBy } from './path-search';
import { RevocationCheck } from './revocation-check';
import { checkCertificateKey } from './suites/certificate-key';
import type { CertificatePurpose, PathValidator, ValidatedCertificate } from './types';

/**
 * Path validation to configured trust anchors (RFC 5280 §6; docs/signatures.md). Policy:
 *  - every certificate in the path must be valid both at the signing time (`opts.at`) and now
 *    (times compared to the second: X.509 times have no fractions);
 *  - revocation is fail-closed: with revocation 'required' (the default) every non-anchor
 *    certificate needs a CRL from its issuer (else cert.crl_missing) whose signature verifies and
 *    whose nextUpdate has not passed (else cert.crl_stale). Trust anchors are not revocation-checked
 *    (an anchor is removed from configuration, not revoked);
 *  - keys: RSA ≥ 2048, EC P-256/P-384 — trust anchors included;
 *  - the path builder backtracks: every issuer candidate (anchors first) is tried until a path
 *    passes every check, so a cross-signed CA or a rolled-over root still validates; the search is
 *    bounded (signature checks per build, logical intermediates);
 *  - the trust anchor's own certificate is checked like any CA (basicConstraints CA:TRUE and
 *    critical, key policy, critical extensions, key identifiers, non-empty subject), and its
 *    nameConstraints apply to the path;
 *  - RFC 5280 profile rules the checks rely on are enforced (cert.profile), name constraints are
 *    processed (name-constraints.ts), unknown critical extensions are refused.
 *
 * The steps live beside it: path building (path-search.ts), the rules a path must satisfy
 * (path-rules.ts), revocation (revocation-check.ts) and key policy (suites/certificate-key.ts).
 *
 * The expensive part (path building, certificate signatures, extension checks) is cached per leaf
 * fingerprint + purpose; what depends on time or CRLs (validity windows, revocation, CRL freshness)
 * is re-checked on every call and costs a few map lookups. So a known signer costs no signature
 * check here at all — only the CMS signature itself. A cached path that has fallen out of its
 * validity window is rebuilt once (another issuer may still be valid).
 */

export interface ChainValidatorOptions {
  /** Default 'required'. 'disabled' skips revocation entirely (development only). */
  revocation?: 'required' | 'disabled';
  now?: () => Date;
  /** Maximum number of intermediates (default 5). */
  maxIntermediates?: number;
  /** Cached paths kept (default 10,000). */
  cacheSize?: number;
  /** OCSP status source; without it revocation is by CRL only. */
  ocsp?: OcspChecker;
  /**
   * Default 'ocsp-then-crl' when `ocsp` is given: a certificate that names a responder (or one is
   * configured) is checked by OCSP; without a fresh OCSP status the CRL decides; without either,
   * fail closed. 'ocsp-only' never falls back to the CRL; 'crl-only' ignores OCSP.
   */
  revocationOrder?: RevocationOrder;
}

export class ChainValidator implements PathValidator {
  private readonly anchors: { cert: X509Certificate; info: CertInfo }[];
  private readonly anchorPrints: Set<string>;
  private readonly cache = new Map<string, CertPath>();
  private readonly now: () => Date;
  private readonly revocation: 'required' | 'disabled';
  private readonly maxIntermediates: number;
  private readonly cacheSize: number;
  private readonly ocsp: OcspChecker | undefined;
  private readonly order: RevocationOrder;
  private readonly revocationCheck: RevocationCheck;

  constructor(anchors: readonly X509Certificate[], private readonly crls: CrlSource, opts: ChainValidatorOptions = {}) {
    if (anchors.length === 0) throw new Art50Error('config.invalid', 'no trust anchors configured');
    this.anchors = anchors.map((cert) => ({ cert, info: certInfo(cert) }));
    this.anchorPrints = new Set(this.anchors.map((a) => a.info.fingerprint));
    this.now = opts.now ?? (() => new Date());
    this.revocation = opts.revocation ?? 'required';
    this.maxIntermediates = opts.maxIntermediates ?? 5;
    this.cacheSize = opts.cacheSize ?? 10_000;
    this.ocsp = opts.ocsp;
    this.order = opts.ocsp ? (opts.revocationOrder ?? 'ocsp-then-crl') : 'crl-only';
    this.revocationCheck = new RevocationCheck(crls, this.ocsp, this.order);
  }

  validate(
    leaf: X509Certificate,
    opts: { purpose: CertificatePurpose; at?: Date; intermediates?: readonly X509Certificate[] },
  ): ValidatedCertificate {
    const now = this.now();
    const at = opts.at ?? now;
    const leafInfo = certInfo(leaf);
    const { chain, infos } = this.pathFor(leaf, leafInfo, opts, at, now);
    if (this.revocation === 'required') {
      for (let i = 0; i < chain.length - 1; i++) this.revocationCheck.check(chain[i]!, infos[i]!, chain[i + 1]!, now);
    }
    return {
      cert: leaf,
      fingerprint: leafInfo.fingerprint,
      subject: leafInfo.subject,
      notBefore: leafInfo.notBefore,
      notAfter: leafInfo.notAfter,
      chain: [...chain],
    };
  }

  /**
   * Makes sure validate() finds a fresh OCSP status for every certificate of the path that needs
   * one, fetching the missing ones (in parallel). Never throws: what cannot be had is decided, fail
   * closed, by validate(). Callers that can wait (the TLS client check, document intake) call this
   * first, so validation itself stays synchronous.
   */
  async prepare(
    leaf: X509Certificate,
    opts: { purpose: CertificatePurpose; at?: Date; intermediates?: readonly X509Certificate[] },
  ): Promise<void> {
    const ocsp = this.ocsp;
    if (!ocsp || this.revocation !== 'required' || this.order === 'crl-only') return;
    const now = this.now();
    let path: CertPath;
    try {
      path = this.pathFor(leaf, certInfo(leaf), opts, opts.at ?? now, now);
    } catch {
      return;
    }
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < path.chain.length - 1; i++) {
      const cert = path.chain[i]!;
      const issuer = path.chain[i + 1]!;
      if (ocsp.urlsFor(cert).length > 0 && !ocsp.cached(cert, issuer, now) && ocsp.mayAsk(cert, issuer)) pending.push(ocsp.refresh(cert, issuer).catch(() => undefined));
    }
    await Promise.all(pending);
  }

  /** Drops cached paths (e.g. after the trust configuration changed). */
  clearCache(): void {
    this.cache.clear();
  }

  close(): void {
    this.crls.close();
  }

  /** The path from the cache, rebuilt when missing or out of its validity window. */
  private pathFor(
    leaf: X509Certificate, leafInfo: CertInfo, opts: { purpose: CertificatePurpose; intermediates?: readonly X509Certificate[] }, at: Date, now: Date,
  ): CertPath {
    const key = `${leafInfo.fingerprint}/${opts.purpose}`;
    let path = this.cache.get(key);
    if (path && !path.infos.every((info) => withinValidity(info, at, now))) {
      this.cache.delete(key);
      path = undefined;
    }
    if (!path) {
      path = this.buildPath(leaf, leafInfo, opts.purpose, opts.intermediates ?? [], at, now);
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, path);
    }
    return path;
  }

  private buildPath(
    leaf: X509Certificate, leafInfo: CertInfo, purpose: CertificatePurpose, intermediates: readonly X509Certificate[], at: Date, now: Date,
  ): CertPath {
    checkCertificateKey(leaf);
    if (leafInfo.unknownCritical.length > 0) throw new Art50Error('cert.critical_extension', `unknown critical extension ${leafInfo.unknownCritical.join(', ')}`);
    checkPurpose(leafInfo, purpose);
    const isAnchor = this.anchorPrints.has(leafInfo.fingerprint);
    if (!isAnchor && leafInfo.selfIssued && signedBy(leaf, leaf)) {
      throw new Art50Error('cert.self_signed', 'the certificate is self-signed and not a trust anchor');
    }
    checkEndEntityProfile(leafInfo, isAnchor);
    if (isAnchor) {
      checkValidity(leafInfo, at, now, 'the certificate');
      return { chain: [leaf], infos: [leafInfo] };
    }
    const search = new PathSearch(this.anchors, intermediates, this.maxIntermediates, (chain, infos) => checkPath(chain, infos, at, now));
    return search.run(leaf, leafInfo);
  }
}
