import type { X509Certificate } from 'node:crypto';
import { Art50Error, isArt50Error } from '../errors';
import { Asn1, bitString, bool, children, childrenOf, content, decode, expect, intHex, isContext, oid, raw, TAG, time } from '../asn1/der';
import { OID } from '../asn1/oids';
import { CertInfo, certInfo, KeyUsageBit } from './cert-info';
import { DigestName, publicKeyOf, SignatureScheme, signatureAlgorithm, verifySignature } from './suites';

/**
 * Certificate revocation lists: parsed with asn1/der, signature checked (with node:crypto) against
 * the issuer certificate found in the path — so CRLs of intermediates work without configuring
 * the intermediates. Where they come from (files reloaded when they change) is crl-source.ts.
 */

export interface Crl {
  source: string;
  /** Exact DER of the issuer Name; matched byte-for-byte against a certificate's issuer. */
  issuer: Buffer;
  thisUpdate: Date;
  /** Absent nextUpdate is treated as stale (RFC 5280 §5.1.2.5 requires it). */
  nextUpdate: Date | undefined;
  /** Revoked serial numbers, lowercase hex without leading zero octets. */
  revoked: ReadonlySet<string>;
  /** cRLNumber (RFC 5280 §5.2.3): orders CRLs of one issuer. */
  crlNumber: bigint;
  /**
   * issuingDistributionPoint (RFC 5280 §5.2.5): the CRL covers only certificates of these
   * distribution points (URIs; empty = all) and, with onlyUser/onlyCa, only end-entity or CA
   * certificates. See crlCovers().
   */
  scope?: { distributionPoints: string[]; onlyUser: boolean; onlyCa: boolean };
  tbs: Buffer;
  scheme: SignatureScheme;
  signature: Buffer;
}

const PEM = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/;

export function parseCrl(input: Buffer, source: string): Crl {
  try {
    let der = input;
    if (input[0] !== 0x30) {
      const m = PEM.exec(input.toString('latin1'));
      if (!m) throw new Art50Error('config.invalid', `${source}: no "X509 CRL" PEM block`);
      der = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
    }
    const [tbsNode, sigAlg, sigValue] = childrenOf(decode(der, { code: 'config.invalid' }), TAG.SEQUENCE, 'CertificateList');
    const tbs = childrenOf(tbsNode, TAG.SEQUENCE, 'tbsCertList');
    let i = 0;
    if (tbs[i]?.tag === TAG.INTEGER) i++; // version
    i++; // signature (must equal the outer one; the outer one is what we verify with)
    const issuer = raw(expect(tbs[i++], TAG.SEQUENCE, 'issuer'));
    const thisUpdate = time(tbs[i++], 'thisUpdate');
    let nextUpdate: Date | undefined;
    if (tbs[i] && (tbs[i]!.tag === TAG.UTCTime || tbs[i]!.tag === TAG.GeneralizedTime)) nextUpdate = time(tbs[i++], 'nextUpdate');
    const revoked = new Set<string>();
    if (tbs[i]?.tag === TAG.SEQUENCE) {
      for (const entry of children(tbs[i++]!)) {
        const fields = childrenOf(entry, TAG.SEQUENCE, 'revokedCertificate');
        revoked.add(intHex(fields[0], 'userCertificate'));
        if (fields[2]) checkEntryExtensions(fields[2], source);
      }
    }
    if (tbs[i] && !isContext(tbs[i], 0)) throw new Art50Error('config.invalid', `${source}: unexpected field in tbsCertList`);
    const { crlNumber, scope } = crlExtensions(tbs[i] ? children(tbs[i]!)[0] : undefined, source);
    const { bytes, unused } = bitString(sigValue, 'signatureValue');
    if (unused !== 0) throw new Art50Error('config.invalid', `${source}: signature has unused bits`);
    return {
      source, issuer, thisUpdate, nextUpdate, revoked, crlNumber, ...(scope ? { scope } : {}),
      tbs: Buffer.from(raw(tbsNode)),
      scheme: signatureAlgorithm(sigAlg, 'config.invalid'),
      signature: Buffer.from(bytes),
    };
  } catch (e) {
    if (isArt50Error(e) && e.code !== 'config.invalid') throw new Art50Error('config.invalid', `${source}: ${e.detail}`, { cause: e });
    throw e;
  }
}

/**
 * The CRL extensions (RFC 5280 §5.2). Only complete CRLs are used, so anything that makes a CRL
 * partial in a way the gateway cannot honour is refused rather than taken as complete: a delta
 * CRL (deltaCRLIndicator — a delta must never replace its base, or certificates revoked in the
 * base would pass), an indirect CRL, one limited to some reasons or to attribute certificates. A
 * CRL scoped by issuingDistributionPoint to a distribution point or to end-entity/CA certificates
 * is kept with its scope, and used only for certificates inside it (crlCovers). cRLNumber is
 * required and must not be critical; any other critical extension is refused.
 */
function crlExtensions(exts: Asn1 | undefined, source: string): { crlNumber: bigint; scope?: Crl['scope'] } {
  const refuse = (why: string): never => {
    throw new Art50Error('config.invalid', `${source}: ${why}`);
  };
  let crlNumber: bigint | undefined;
  let scope: Crl['scope'];
  for (const ext of exts ? childrenOf(exts, TAG.SEQUENCE, 'crlExtensions') : []) {
    const parts = childrenOf(ext, TAG.SEQUENCE, 'extension');
    const id = oid(parts[0], 'extnID');
    const critical = parts.length === 3 ? bool(parts[1], 'critical') : false;
    const value = content(expect(parts[parts.length - 1], TAG.OCTET_STRING, 'extnValue'));
    switch (id) {
      case OID.crlNumber:
        if (critical) refuse('cRLNumber must not be critical (RFC 5280 §5.2.3)');
        if (crlNumber !== undefined) refuse('cRLNumber appears twice');
        crlNumber = BigInt(`0x${intHex(decode(value, { code: 'config.invalid' }), 'cRLNumber')}`);
        break;
      case OID.deltaCrlIndicator:
        refuse('delta CRLs are not used (only complete CRLs; a delta never stands in for its base)');
        break;
      case OID.issuingDistributionPoint:
        scope = distributionScope(decode(value, { code: 'config.invalid' }), refuse);
        break;
      default:
        if (critical) refuse(`unknown critical CRL extension ${id}`);
    }
  }
  if (crlNumber === undefined) return refuse('no cRLNumber (RFC 5280 §5.2.3 requires it)');
  return scope ? { crlNumber, scope } : { crlNumber };
}

/** URIs of a DistributionPointName's fullName ([0] GeneralNames, uniformResourceIdentifier [6]). */
function fullNameUris(dpName: Asn1): string[] {
  const choice = children(dpName)[0];
  if (!choice || !isContext(choice, 0)) return []; // nameRelativeToCRLIssuer: matches no URI
  return children(choice).filter((gn) => isContext(gn, 6)).map((gn) => content(gn).toString('latin1'));
}

function distributionScope(idp: Asn1, refuse: (why: string) => never): NonNullable<Crl['scope']> {
  const scope = { distributionPoints: [] as string[], onlyUser: false, onlyCa: false };
  for (const f of childrenOf(idp, TAG.SEQUENCE, 'issuingDistributionPoint')) {
    const flag = (): boolean => content(f)[0] !== 0;
    if (isContext(f, 0)) scope.distributionPoints = fullNameUris(f);
    else if (isContext(f, 1)) scope.onlyUser = flag();
    else if (isContext(f, 2)) scope.onlyCa = flag();
    else if (isContext(f, 3)) refuse('a CRL for only some revocation reasons (onlySomeReasons) is not complete');
    else if (isContext(f, 4) && flag()) refuse('indirect CRLs are not used');
    else if (isContext(f, 5) && flag()) refuse('a CRL of attribute certificates only');
  }
  return scope;
}

/** The certificate's cRLDistributionPoints URIs. */
function certificateDistributionPoints(info: CertInfo): string[] {
  const value = info.extensionValues.get(OID.crlDistributionPoints);
  if (!value) return [];
  try {
    return childrenOf(decode(value, { code: 'cert.malformed' }), TAG.SEQUENCE, 'cRLDistributionPoints').flatMap((dp) => {
      const name = children(dp).find((n) => isContext(n, 0));
      return name ? fullNameUris(name) : [];
    });
  } catch {
    return [];
  }
}

/**
 * Why `crl` does not speak for the certificate, or undefined when it does: a CRL scoped by
 * issuingDistributionPoint covers only its own distribution point and certificate kind, so using
 * it for another would read "not revoked" where it simply says nothing (RFC 5280 §6.3.3 (b)).
 */
export function crlCovers(crl: Crl, info: CertInfo): string | undefined {
  const scope = crl.scope;
  if (!scope) return undefined;
  const ca = info.basicConstraints?.ca === true;
  if (scope.onlyUser && ca) return 'it covers end-entity certificates only';
  if (scope.onlyCa && !ca) return 'it covers CA certificates only';
  if (scope.distributionPoints.length > 0) {
    const own = certificateDistributionPoints(info);
    if (!own.some((u) => scope.distributionPoints.includes(u))) return `it covers distribution point ${scope.distributionPoints.join(', ')}, which the certificate does not name`;
  }
  return undefined;
}

/** A critical entry extension (e.g. certificateIssuer of an indirect CRL) cannot be honoured. */
function checkEntryExtensions(exts: Asn1, source: string): void {
  for (const ext of childrenOf(exts, TAG.SEQUENCE, 'crlEntryExtensions')) {
    const parts = childrenOf(ext, TAG.SEQUENCE, 'extension');
    if (parts.length === 3 && bool(parts[1], 'critical')) {
      throw new Art50Error('config.invalid', `${source}: critical CRL entry extension ${oid(parts[0], 'extnID')}`);
    }
  }
}

/** Verifies a CRL's signature with the issuer certificate (memoised per CRL and issuer). */
const verified = new WeakMap<Crl, Set<string>>();
export function crlSignedBy(crl: Crl, issuer: X509Certificate): boolean {
  const info = certInfo(issuer);
  const done = verified.get(crl);
  if (done?.has(info.fingerprint)) return true;
  if (!info.subjectName.equals(crl.issuer)) return false;
  if (info.keyUsage && !info.keyUsage.has(KeyUsageBit.cRLSign)) return false;
  const hash: DigestName = crl.scheme.hash ?? 'sha256';
  let key;
  try {
    key = publicKeyOf(issuer);
  } catch {
    return false;
  }
  if (!verifySignature(crl.scheme, hash, crl.tbs, key, crl.signature)) return false;
  verified.set(crl, new Set([...(done ?? []), info.fingerprint]));
  return true;
}
