import type { X509Certificate } from 'node:crypto';
import { Art50Error, isArt50Error } from '../errors';
import type { CertInfo } from './cert-info';
import { crlCovers, crlSignedBy } from './crl';
import type { CrlSource } from './crl-source';
import type { OcspChecker, RevocationOrder } from './ocsp/checker';

/**
 * Revocation of one certificate of a path, fail closed: OCSP and CRLs in the configured order.
 * What it reads (cached OCSP statuses, loaded CRLs) is kept up to date elsewhere; this only decides.
 */
export class RevocationCheck {
  constructor(
    private readonly crls: CrlSource,
    private readonly ocsp: OcspChecker | undefined,
    private readonly order: RevocationOrder,
  ) {}

  /**
   * Revocation of one certificate, in the configured order: OCSP (a cached fresh status; a missing
   * one is fetched in the background for the next call) then the CRL; fail closed when neither
   * gives a fresh answer.
   */
  check(cert: X509Certificate, info: CertInfo, issuer: X509Certificate, now: Date): void {
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
}
