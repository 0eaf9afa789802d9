import type { X509Certificate } from 'node:crypto';
import { Art50Error, isArt50Error } from '../errors';
import { OID } from '../asn1/oids';
import { TAG } from '../asn1/der';
import { CertInfo, certInfo, KeyUsageBit } from './cert-info';
import { crlCovers, CrlSource, crlSignedBy } from './crl';
import { certificateSignedBy, checkKeyPolicy as checkSuiteKeyPolicy, publicKeyOf } from './suites';
import { applyNameConstraints, nameConstraintsOf } from './name-constraints';
import type { OcspChecker, RevocationOrder } from './ocsp/checker';
import type { CertificatePurpose, PathValidator, ValidatedCertificate } from './types';

/**
 * Path validation to configured trust anchors (DESIGN §2–3, RFC 5280 §6). Policy:
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

interface CachedPath {
  chain: X509Certificate[];
  infos: CertInfo[];
}


/** Key policy of the certificate's signature suite (pki/suites): RSA 2048–16384, EC P-256/P-384, GOST R 34.10-2012. */
export function checkKey(cert: X509Certificate): void {
  checkSuiteKeyPolicy(publicKeyOf(cert));
}

export function checkPurpose(info: CertInfo, purpose: CertificatePurpose): void {
  const ku = info.keyUsage;
  const eku = info.extKeyUsage;
  const refuse = (why: string): never => {
    throw new Art50Error('cert.key_usage', `certificate may not be used for ${purpose}: ${why}`);
  };
  switch (purpose) {
    case 'signature':
    case 'seal':
      // Fail closed: a signing certificate must say so (NCA certificates always carry keyUsage).
      if (!ku || !(ku.has(KeyUsageBit.digitalSignature) || ku.has(KeyUsageBit.nonRepudiation))) refuse('keyUsage lacks digitalSignature/nonRepudiation');
      // NCA issues a SIGN key (emailProtection) for documents and an AUTH key (clientAuth) for
      // TLS and sign-in: a document signed with the AUTH key is refused, as `openssl cms -verify` does.
      if (!eku || !eku.includes(OID.emailProtection)) refuse('extKeyUsage lacks emailProtection (documents are signed with the SIGN key, not the AUTH key)');
      return;
    case 'tls-client':
      if (ku && !ku.has(KeyUsageBit.digitalSignature)) refuse('keyUsage lacks digitalSignature');
      if (eku && !eku.includes(OID.clientAuth)) refuse('extKeyUsage lacks clientAuth');
      return;
    case 'tls-server':
      if (ku && !ku.has(KeyUsageBit.digitalSignature) && !ku.has(KeyUsageBit.keyEncipherment)) refuse('keyUsage lacks digitalSignature');
      if (eku && !eku.includes(OID.serverAuth)) refuse('extKeyUsage lacks serverAuth');
      return;
    case 'encryption':
      if (!ku || !ku.has(KeyUsageBit.keyEncipherment)) refuse('keyUsage lacks keyEncipherment');
      return;
  }
}

/** Both the signing time and now (each floored to the second) must fall inside [notBefore, notAfter]. */
export function checkValidity(info: CertInfo, at: Date, now: Date, what: string): void {
  for (const t of [at, now]) {
    const secs = Math.floor(t.getTime() / 1000) * 1000;
    if (secs > info.notAfter.getTime()) {
      throw new Art50Error('cert.expired', `${what} expired on ${info.notAfter.toISOString()} (checked at ${t.toISOString()})`);
    }
    if (secs < info.notBefore.getTime()) {
      throw new Art50Error('cert.not_yet_valid', `${what} is valid from ${info.notBefore.toISOString()} (checked at ${t.toISOString()})`);
    }
  }
}

export class ChainValidator implements PathValidator {
  private readonly anchors: { cert: X509Certificate; info: CertInfo }[];
  private readonly anchorPrints: Set<string>;
  private readonly cache = new Map<string, CachedPath>();
  private readonly now: () => Date;
  private readonly revocation: 'required' | 'disabled';
  private readonly maxIntermediates: number;
  private readonly cacheSize: number;
  private readonly ocsp: OcspChecker | undefined;
  private readonly order: RevocationOrder;

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
      for (let i = 0; i < chain.length - 1; i++) this.checkRevocation(chain[i]!, infos[i]!, chain[i + 1]!, now);
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
    let path: CachedPath;
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
  ): CachedPath {
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

  /**
   * Revocation of one certificate, in the configured order: OCSP (a cached fresh status; a missing
   * one is fetched in the background for the next call) then the CRL; fail closed when neither
   * gives a fresh answer.
   */
  private checkRevocation(cert: X509Certificate, info: CertInfo, issuer: X509Certificate, now: Date): void {
    const who = info.subject.cn ?? info.serial;
    const ocsp = this.ocsp;
    if (ocsp && this.order !== 'crl-only' && ocsp.urlsFor(cert).length > 0) {
      const status = ocsp.current(cert, issuer, now);
      if (status) {
        if (status.status === 'revoked') {
          throw new Art50Error('cert.revoked', `certificate "${who}" (serial ${info.serial}) is revoked (OCSP ${status.responder}${status.revokedAt ? `, since ${status.revokedAt.toISOString()}` : ''})`);
        }
        if (status.status === 'unknown') throw new Art50Error('cert.ocsp_unknown', `OCSP responder ${status.responder} does not know certificate "${who}" (serial ${info.serial})`);
        return;
      }
      ocsp.refreshInBackground(cert, issuer);
      const why = ocsp.lastFailure(cert, issuer)?.detail ?? 'no OCSP answer has been fetched yet';
      if (this.order === 'ocsp-only') throw new Art50Error('cert.ocsp_unavailable', `no fresh OCSP status for "${who}": ${why}`);
      try {
        this.checkCrl(info, issuer, now);
        return;
      } catch (e) {
        if (isArt50Error(e) && (e.code === 'cert.crl_missing' || e.code === 'cert.crl_stale')) {
          throw new Art50Error('cert.ocsp_unavailable', `no fresh status for "${who}": OCSP — ${why}; CRL — ${e.detail ?? e.code}`, { cause: e });
        }
        throw e;
      }
    }
    this.checkCrl(info, issuer, now);
  }

  private checkCrl(info: CertInfo, issuer: X509Certificate, now: Date): void {
    const crl = this.crls.forIssuer(info.issuer);
    const who = info.subject.cn ?? info.serial;
    if (!crl) throw new Art50Error('cert.crl_missing', `no revocation list is configured for the issuer of "${who}"`);
    if (!crlSignedBy(crl, issuer)) throw new Art50Error('cert.crl_missing', `the revocation list ${crl.source} is not signed by the issuer of "${who}"`);
    const gap = crlCovers(crl, info);
    if (gap) throw new Art50Error('cert.crl_missing', `the revocation list ${crl.source} does not cover "${who}": ${gap}`);
    if (!crl.nextUpdate || crl.nextUpdate.getTime() < now.getTime()) {
      throw new Art50Error('cert.crl_stale', `the revocation list ${crl.source} is out of date (nextUpdate ${crl.nextUpdate?.toISOString() ?? 'absent'})`);
    }
    if (crl.revoked.has(info.serial)) throw new Art50Error('cert.revoked', `certificate "${who}" (serial ${info.serial}) is revoked`);
  }

  private buildPath(
    leaf: X509Certificate, leafInfo: CertInfo, purpose: CertificatePurpose, intermediates: readonly X509Certificate[], at: Date, now: Date,
  ): CachedPath {
    checkKeyPolicy(leaf);
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

/** Signature checks one path build may spend before it gives up (pathological intermediates). */
const SEARCH_BUDGET = 64;

/**
 * Depth-first path building with backtracking (RFC 4158 in its simplest form): from the leaf,
 * try every certificate whose subject is the current issuer name and whose key verifies the
 * current signature — trust anchors first, then the supplied intermediates — and accept the first
 * complete path that passes `accept`. When none does, the error of the most promising dead end is
 * thrown: a complete path's refusal before "no issuer found".
 */
class PathSearch {
  private spent = 0;
  private pathError: unknown;
  private otherError: unknown;

  constructor(
    private readonly anchors: readonly { cert: X509Certificate; info: CertInfo }[],
    private readonly intermediates: readonly X509Certificate[],
    private readonly maxLogical: number,
    private readonly accept: (chain: X509Certificate[], infos: CertInfo[]) => void,
  ) {}

  run(leaf: X509Certificate, leafInfo: CertInfo): CachedPath {
    const found = this.extend([leaf], [leafInfo]);
    if (found) return found;
    throw this.pathError ?? this.otherError ?? new Art50Error('cert.untrusted', `no trusted issuer found for "${leafInfo.subject.cn ?? leafInfo.serial}"`);
  }

  private verifies(cert: X509Certificate, issuer: X509Certificate): boolean {
    if (this.spent++ >= SEARCH_BUDGET) {
      this.otherError ??= new Art50Error('cert.untrusted', `path building gave up after ${SEARCH_BUDGET} signature checks`);
      return false;
    }
    return signedBy(cert, issuer);
  }

  private extend(chain: X509Certificate[], infos: CertInfo[]): CachedPath | undefined {
    const current = chain[chain.length - 1]!;
    const currentInfo = infos[infos.length - 1]!;
    const inPath = (fp: string): boolean => infos.some((x) => x.fingerprint === fp);
    for (const a of this.anchors) {
      if (!a.info.subjectName.equals(currentInfo.issuer) || inPath(a.info.fingerprint) || !this.verifies(current, a.cert)) continue;
      const full = { chain: [...chain, a.cert], infos: [...infos, a.info] };
      try {
        this.accept(full.chain, full.infos);
        return full;
      } catch (e) {
        this.pathError ??= e;
      }
    }
    for (const c of this.intermediates) {
      let ci: CertInfo;
      try {
        ci = certInfo(c);
      } catch (e) {
        this.otherError ??= e;
        continue;
      }
      if (!ci.subjectName.equals(currentInfo.issuer) || inPath(ci.fingerprint)) continue;
      const next = [...infos, ci];
      if (logicalIntermediates(next) > this.maxLogical || next.length - 1 > 2 * this.maxLogical + 2) {
        this.otherError ??= new Art50Error('cert.untrusted', 'no trust anchor within the allowed path length');
        continue;
      }
      if (!this.verifies(current, c)) continue;
      const found = this.extend([...chain, c], next);
      if (found) return found;
    }
    return undefined;
  }
}

/** Intermediates that count toward path lengths: self-issued ones do not (RFC 5280 §6.1.4 (l)). */
function logicalIntermediates(infos: readonly CertInfo[]): number {
  let n = 0;
  for (let i = 1; i < infos.length; i++) if (!infos[i]!.selfIssued) n++;
  return n;
}

/**
 * Does `issuer`'s key verify `cert`'s signature? The one place certificate signatures are checked;
 * a key node:crypto cannot decode (a malformed issuer key) simply does not verify.
 */
export function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return certificateSignedBy(cert, issuer);
}

/** checkKey, plus: named EC curves only, RSA moduli a whole number of bytes; undecodable keys refused, not thrown raw. */
function checkKeyPolicy(cert: X509Certificate): void {
  const info = certInfo(cert);
  if (info.keyAlgorithm === OID.ecPublicKey && info.keyParamsTag !== TAG.OID) {
    throw new Art50Error('cert.weak_key', 'EC key with explicit curve parameters (a named curve is required, RFC 5480)');
  }
  try {
    checkKey(cert);
  } catch (e) {
    if (isArt50Error(e)) throw e;
    throw new Art50Error('cert.weak_key', 'the public key cannot be decoded', { cause: e });
  }
}

function withinValidity(info: CertInfo, at: Date, now: Date): boolean {
  try {
    checkValidity(info, at, now, '');
    return true;
  } catch {
    return false;
  }
}

/** Everything a complete path leaf → anchor must satisfy (chain[last] is the anchor). */
function checkPath(chain: X509Certificate[], infos: CertInfo[], at: Date, now: Date): void {
  checkIssuers(chain, infos);
  checkNameConstraints(infos);
  infos.forEach((info, i) => checkValidity(info, at, now, i === 0 ? 'the certificate' : `issuer "${info.subject.cn ?? '?'}"`));
}

/** Profile rules for the end certificate (RFC 5280 §4.2). */
function checkEndEntityProfile(info: CertInfo, isAnchor: boolean): void {
  const who = `certificate "${info.subject.cn ?? info.serial}"`;
  checkCommonProfile(info, who);
  if (!(isAnchor && info.selfIssued) && !info.hasAuthorityKeyId) throw new Art50Error('cert.profile', `${who} has no authorityKeyIdentifier`);
  if (info.keyUsage?.has(KeyUsageBit.keyCertSign) && !info.basicConstraints?.ca) throw new Art50Error('cert.profile', `${who} asserts keyCertSign but is not a CA`);
  if (info.extensionValues.has(OID.nameConstraints) && !info.basicConstraints?.ca) throw new Art50Error('cert.profile', `${who} carries nameConstraints but is not a CA`);
}

/** Rules for every certificate in a path. */
function checkCommonProfile(info: CertInfo, who: string): void {
  if (info.critical.has(OID.authorityKeyIdentifier)) throw new Art50Error('cert.profile', `${who} marks authorityKeyIdentifier critical`);
  if (info.critical.has(OID.subjectKeyIdentifier)) throw new Art50Error('cert.profile', `${who} marks subjectKeyIdentifier critical`);
  if (info.extensionValues.has(OID.policyConstraints) && !info.critical.has(OID.policyConstraints)) {
    throw new Art50Error('cert.profile', `${who} has a non-critical policyConstraints`);
  }
  if (info.subjectEmpty && !info.critical.has(OID.subjectAltName)) {
    throw new Art50Error('cert.profile', `${who} has an empty subject without a critical subjectAltName`);
  }
}

/**
 * CA:TRUE (critical), keyCertSign, pathLen (self-issued intermediates exempt), key strength,
 * critical extensions and key identifiers of every issuer — the trust anchor included.
 */
function checkIssuers(chain: X509Certificate[], infos: CertInfo[]): void {
  for (let i = 1; i < chain.length; i++) {
    const info = infos[i]!;
    const isAnchor = i === chain.length - 1;
    const name = `${isAnchor ? 'trust anchor' : 'issuer'} "${info.subject.cn ?? info.serial}"`;
    const bc = info.basicConstraints;
    if (!bc?.ca) throw new Art50Error('cert.not_ca', `${name} is not a CA (basicConstraints CA:TRUE missing)`);
    if (!info.critical.has(OID.basicConstraints)) throw new Art50Error('cert.profile', `${name} does not mark basicConstraints critical`);
    if (info.keyUsage && !info.keyUsage.has(KeyUsageBit.keyCertSign)) throw new Art50Error('cert.key_usage', `${name} may not sign certificates (keyCertSign missing)`);
    const below = logicalIntermediates(infos.slice(0, i)); // intermediates between this issuer and the leaf
    if (bc.pathLen !== undefined && below > bc.pathLen) throw new Art50Error('cert.path_length', `${name} allows ${bc.pathLen} intermediates below it, the path has ${below}`);
    checkKeyPolicy(chain[i]!);
    if (info.unknownCritical.length > 0) throw new Art50Error('cert.critical_extension', `${name} has unknown critical extension ${info.unknownCritical.join(', ')}`);
    checkCommonProfile(info, name);
    if (info.subjectEmpty) throw new Art50Error('cert.profile', `${name} has an empty subject`);
    if (!info.subjectKeyId) throw new Art50Error('cert.profile', `${name} has no subjectKeyIdentifier`);
    // Only a self-signed anchor may omit it (RFC 5280 §4.2.1.1) — a cross-signed one may not.
    if (!(isAnchor && info.selfIssued) && !info.hasAuthorityKeyId) throw new Art50Error('cert.profile', `${name} has no authorityKeyIdentifier`);
  }
}

/** Each CA's nameConstraints over every certificate below it; self-issued intermediates are exempt. */
function checkNameConstraints(infos: CertInfo[]): void {
  for (let i = infos.length - 1; i >= 1; i--) {
    const ca = infos[i]!;
    const nc = nameConstraintsOf(ca);
    if (!nc) continue;
    const by = `"${ca.subject.cn ?? ca.serial}"`;
    if (!ca.critical.has(OID.nameConstraints)) throw new Art50Error('cert.name_constraints', `${by} does not mark nameConstraints critical (RFC 5280 §4.2.1.10)`);
    for (let j = i - 1; j >= 0; j--) {
      if (j > 0 && infos[j]!.selfIssued) continue;
      applyNameConstraints(nc, infos[j]!, by);
    }
  }
}
