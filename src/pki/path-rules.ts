import type { X509Certificate } from 'node:crypto';
import { OID } from '../asn1/oids';
import { Art50Error } from '../errors';
import { CertInfo, KeyUsageBit } from './cert-info';
import { applyNameConstraints, nameConstraintsOf } from './name-constraints';
import { logicalIntermediates } from './path-search';
import { checkCertificateKey } from './suites/certificate-key';
import type { CertificatePurpose } from './types';

/**
 * The rules a certificate path must satisfy (RFC 5280 §4.2 and §6.1), each a pure function that
 * throws the Art50Error of the rule it checks: purpose (keyUsage/extKeyUsage), validity windows,
 * the end certificate's profile, every issuer's CA rules and name constraints. Path building
 * (path-search.ts) and revocation (revocation-check.ts) are separate.
 */

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

export function withinValidity(info: CertInfo, at: Date, now: Date): boolean {
  try {
    checkValidity(info, at, now, '');
    return true;
  } catch {
    return false;
  }
}

/** Everything a complete path leaf → anchor must satisfy (chain[last] is the anchor). */
export function checkPath(chain: X509Certificate[], infos: CertInfo[], at: Date, now: Date): void {
  checkIssuers(chain, infos);
  checkNameConstraints(infos);
  infos.forEach((info, i) => checkValidity(info, at, now, i === 0 ? 'the certificate' : `issuer "${info.subject.cn ?? '?'}"`));
}

/** Profile rules for the end certificate (RFC 5280 §4.2). */
export function checkEndEntityProfile(info: CertInfo, isAnchor: boolean): void {
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
    checkCertificateKey(chain[i]!);
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
