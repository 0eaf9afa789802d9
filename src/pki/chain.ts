import type { X509Certificate } from 'node:crypto';
import { Art50Error } from '../errors';
import { OID } from '../asn1/oids';
import { CertInfo, certInfo, KeyUsageBit } from './cert-info';
import { CrlSource, crlSignedBy } from './crl';
import type { CertificatePurpose, PathValidator, ValidatedCertificate } from './types';

/**
 * Path validation to configured trust anchors (DESIGN §2–3). Policy:
 *  - every certificate in the path must be valid both at the signing time (`opts.at`) and now;
 *  - revocation is fail-closed: with revocation 'required' (the default) every non-anchor
 *    certificate needs a CRL from its issuer (else cert.crl_missing) whose signature verifies and
 *    whose nextUpdate has not passed (else cert.crl_stale). Trust anchors are not revocation-checked
 *    (an anchor is removed from configuration, not revoked);
 *  - keys: RSA ≥ 2048, EC P-256/P-384;
 *  - unknown critical extensions are refused (see cert-info KNOWN; nameConstraints is not processed).
 *
 * The expensive part (path building, certificate signatures, extension checks) is cached per leaf
 * fingerprint + purpose; what depends on time or CRLs (validity windows, revocation, CRL freshness)
 * is re-checked on every call and costs a few map lookups. So a known signer costs no signature
 * check here at all — only the CMS signature itself.
 */

export interface ChainValidatorOptions {
  /** Default 'required'. 'disabled' skips revocation entirely (development only). */
  revocation?: 'required' | 'disabled';
  now?: () => Date;
  /** Maximum number of intermediates (default 5). */
  maxIntermediates?: number;
  /** Cached paths kept (default 10,000). */
  cacheSize?: number;
}

interface CachedPath {
  chain: X509Certificate[];
  infos: CertInfo[];
}

const MAX_RSA_BITS = 16384;

export function checkKey(cert: X509Certificate): void {
  const k = cert.publicKey;
  const d = k.asymmetricKeyDetails ?? {};
  const t = k.asymmetricKeyType;
  if ((t === 'rsa' || t === 'rsa-pss') && (d.modulusLength ?? 0) >= 2048 && (d.modulusLength ?? 0) <= MAX_RSA_BITS) return;
  if (t === 'ec' && (d.namedCurve === 'prime256v1' || d.namedCurve === 'secp384r1')) return;
  throw new Art50Error('cert.weak_key', `key ${String(t)} ${String(d.modulusLength ?? d.namedCurve ?? '')} is not accepted (RSA ≥ 2048, EC P-256/P-384)`);
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
      return;
    case 'tls-client':
      if (ku && !ku.has(KeyUsageBit.digitalSignature)) refuse('keyUsage lacks digitalSignature');
      if (eku && !eku.includes(OID.clientAuth)) refuse('extKeyUsage lacks clientAuth');
      return;
    case 'tls-server':
      if (ku && !ku.has(KeyUsageBit.digitalSignature) && !ku.has(KeyUsageBit.keyEncipherment)) refuse('keyUsage lacks digitalSignature');
      if (eku && !eku.includes(OID.serverAuth)) refuse('extKeyUsage lacks serverAuth');
      return;
  }
}

/** Both the signing time and now must fall inside [notBefore, notAfter]. */
export function checkValidity(info: CertInfo, at: Date, now: Date, what: string): void {
  for (const t of [at, now]) {
    if (t.getTime() > info.notAfter.getTime()) {
      throw new Art50Error('cert.expired', `${what} expired on ${info.notAfter.toISOString()} (checked at ${t.toISOString()})`);
    }
    if (t.getTime() < info.notBefore.getTime()) {
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

  constructor(anchors: readonly X509Certificate[], private readonly crls: CrlSource, opts: ChainValidatorOptions = {}) {
    if (anchors.length === 0) throw new Art50Error('config.invalid', 'no trust anchors configured');
    this.anchors = anchors.map((cert) => ({ cert, info: certInfo(cert) }));
    this.anchorPrints = new Set(this.anchors.map((a) => a.info.fingerprint));
    this.now = opts.now ?? (() => new Date());
    this.revocation = opts.revocation ?? 'required';
    this.maxIntermediates = opts.maxIntermediates ?? 5;
    this.cacheSize = opts.cacheSize ?? 10_000;
  }

  validate(
    leaf: X509Certificate,
    opts: { purpose: CertificatePurpose; at?: Date; intermediates?: readonly X509Certificate[] },
  ): ValidatedCertificate {
    const now = this.now();
    const at = opts.at ?? now;
    const leafInfo = certInfo(leaf);
    const key = `${leafInfo.fingerprint}/${opts.purpose}`;
    let path = this.cache.get(key);
    if (!path) {
      path = this.buildPath(leaf, leafInfo, opts.purpose, opts.intermediates ?? []);
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, path);
    }
    const { chain, infos } = path;
    infos.forEach((info, i) => checkValidity(info, at, now, i === 0 ? 'the certificate' : `issuer "${info.subject.cn ?? '?'}"`));
    if (this.revocation === 'required') {
      for (let i = 0; i < chain.length - 1; i++) this.checkRevocation(infos[i]!, chain[i + 1]!, now);
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

  /** Drops cached paths (e.g. after the trust configuration changed). */
  clearCache(): void {
    this.cache.clear();
  }

  close(): void {
    this.crls.close();
  }

  private checkRevocation(info: CertInfo, issuer: X509Certificate, now: Date): void {
    const crl = this.crls.forIssuer(info.issuer);
    const who = info.subject.cn ?? info.serial;
    if (!crl) throw new Art50Error('cert.crl_missing', `no revocation list is configured for the issuer of "${who}"`);
    if (!crlSignedBy(crl, issuer)) throw new Art50Error('cert.crl_missing', `the revocation list ${crl.source} is not signed by the issuer of "${who}"`);
    if (!crl.nextUpdate || crl.nextUpdate.getTime() < now.getTime()) {
      throw new Art50Error('cert.crl_stale', `the revocation list ${crl.source} is out of date (nextUpdate ${crl.nextUpdate?.toISOString() ?? 'absent'})`);
    }
    if (crl.revoked.has(info.serial)) throw new Art50Error('cert.revoked', `certificate "${who}" (serial ${info.serial}) is revoked`);
  }

  private buildPath(leaf: X509Certificate, leafInfo: CertInfo, purpose: CertificatePurpose, intermediates: readonly X509Certificate[]): CachedPath {
    checkKey(leaf);
    if (leafInfo.unknownCritical.length > 0) throw new Art50Error('cert.critical_extension', `unknown critical extension ${leafInfo.unknownCritical.join(', ')}`);
    checkPurpose(leafInfo, purpose);
    const chain: X509Certificate[] = [leaf];
    const infos: CertInfo[] = [leafInfo];
    if (this.anchorPrints.has(leafInfo.fingerprint)) return { chain, infos };
    if (leafInfo.issuer.equals(leafInfo.subjectName) && leaf.verify(leaf.publicKey)) {
      throw new Art50Error('cert.self_signed', 'the certificate is self-signed and not a trust anchor');
    }
    let current = leaf;
    let currentInfo = leafInfo;
    for (;;) {
      const anchor = this.anchors.find((a) => a.info.subjectName.equals(currentInfo.issuer) && current.verify(a.cert.publicKey));
      if (anchor) {
        chain.push(anchor.cert);
        infos.push(anchor.info);
        break;
      }
      if (chain.length - 1 >= this.maxIntermediates) throw new Art50Error('cert.untrusted', 'no trust anchor within the allowed path length');
      const next = intermediates.find((c) => {
        const ci = certInfo(c);
        return ci.subjectName.equals(currentInfo.issuer) && !infos.some((x) => x.fingerprint === ci.fingerprint) && current.verify(c.publicKey);
      });
      if (!next) throw new Art50Error('cert.untrusted', `no trusted issuer found for "${currentInfo.subject.cn ?? currentInfo.serial}"`);
      chain.push(next);
      infos.push(certInfo(next));
      current = next;
      currentInfo = certInfo(next);
    }
    this.checkIssuers(chain, infos);
    return { chain, infos };
  }

  /** CA:TRUE, keyCertSign, pathLen, key strength and critical extensions of every issuer. */
  private checkIssuers(chain: X509Certificate[], infos: CertInfo[]): void {
    for (let i = 1; i < chain.length; i++) {
      const info = infos[i]!;
      const isAnchor = i === chain.length - 1;
      const name = `issuer "${info.subject.cn ?? info.serial}"`;
      const bc = info.basicConstraints;
      // Anchors are trusted by configuration; an anchor that says CA:FALSE is still refused.
      if (!isAnchor ? !bc?.ca : bc !== undefined && !bc.ca) throw new Art50Error('cert.not_ca', `${name} is not a CA (basicConstraints CA:TRUE missing)`);
      if (info.keyUsage && !info.keyUsage.has(KeyUsageBit.keyCertSign)) throw new Art50Error('cert.key_usage', `${name} may not sign certificates (keyCertSign missing)`);
      const below = i - 1; // intermediates between this issuer and the leaf
      if (bc?.pathLen !== undefined && below > bc.pathLen) throw new Art50Error('cert.path_length', `${name} allows ${bc.pathLen} intermediates below it, the path has ${below}`);
      if (!isAnchor) {
        checkKey(chain[i]!);
        if (info.unknownCritical.length > 0) throw new Art50Error('cert.critical_extension', `${name} has unknown critical extension ${info.unknownCritical.join(', ')}`);
      }
    }
  }
}
