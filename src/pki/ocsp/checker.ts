import type { X509Certificate } from 'node:crypto';
import { Art50Error, isArt50Error } from '../../errors';
import { childrenOf, content, decode, oid, TAG } from '../../asn1/der';
import { OID } from '../../asn1/oids';
import { CertInfo, certInfo } from '../cert-info';
import { buildOcspRequest } from './request';
import { checkOcspResponse, OcspStatus } from './response';

/**
 * Certificate status by OCSP (RFC 6960), with a cache so that path validation stays synchronous:
 * `refresh` fetches (asynchronously, through the injected fetcher) and checks a response, and
 * keeps it until its nextUpdate (never longer than the maximum age); `cached` is a map lookup.
 * A failed fetch is remembered for `retryAfterMs`, so a dead responder is not asked on every
 * validation, and concurrent refreshes of one certificate share one request.
 */

/** Which revocation sources decide, in which order (ChainValidator). */
export type RevocationOrder = 'ocsp-then-crl' | 'crl-only' | 'ocsp-only';

/** POSTs a DER OCSP request to `url` and resolves with the DER response (transport only). */
export type OcspFetcher = (url: string, request: Buffer) => Promise<Buffer>;

export interface OcspOptions {
  fetcher: OcspFetcher;
  /** Responder for certificates that name none (no AIA OCSP URL). */
  responderUrl?: string;
  /** Ask `responderUrl` even when the certificate names its own responder (a local proxy or mirror). */
  overrideCertificateUrl?: boolean;
  /** Oldest acceptable thisUpdate (default 24 h). */
  maxAgeMs?: number;
  /** Clock difference tolerated for thisUpdate/nextUpdate (default 5 min). */
  skewMs?: number;
  /** Refuse responses that do not echo the nonce (default true). */
  requireNonce?: boolean;
  /** How long a failure is remembered before the responder is asked again (default 30 s). */
  retryAfterMs?: number;
  /** Cached statuses kept (default 10,000). */
  cacheSize?: number;
  now?: () => Date;
  onError?: (e: unknown, url: string) => void;
}

interface Entry {
  status: OcspStatus;
  /** min(nextUpdate, thisUpdate + maxAge). */
  expires: number;
}

const urlMemo = new WeakMap<CertInfo, string[]>();

/** OCSP URLs named in a certificate's authorityInfoAccess (id-ad-ocsp, uniformResourceIdentifier); memoised. */
export function ocspUrlsOf(info: CertInfo): string[] {
  let urls = urlMemo.get(info);
  if (!urls) {
    urls = readOcspUrls(info);
    urlMemo.set(info, urls);
  }
  return urls;
}

function readOcspUrls(info: CertInfo): string[] {
  const value = info.extensionValues.get(OID.authorityInfoAccess);
  if (!value) return [];
  try {
    const out: string[] = [];
    for (const ad of childrenOf(decode(value, { code: 'cert.malformed' }), TAG.SEQUENCE, 'authorityInfoAccess')) {
      const [method, location] = childrenOf(ad, TAG.SEQUENCE, 'AccessDescription');
      if (oid(method, 'accessMethod') === OID.adOcsp && location && location.cls === 0x80 && location.tagNo === 6) {
        const url = content(location).toString('latin1');
        if (/^https?:\/\//i.test(url)) out.push(url);
      }
    }
    return out;
  } catch {
    return []; // a malformed AIA names no usable responder; the CRL (or fail-closed) decides
  }
}

export class OcspChecker {
  private readonly cache = new Map<string, Entry>();
  private readonly failures = new Map<string, { at: number; error: Art50Error }>();
  private readonly inflight = new Map<string, Promise<OcspStatus>>();
  private readonly now: () => Date;
  private readonly maxAgeMs: number;
  private readonly skewMs: number;
  private readonly retryAfterMs: number;
  private readonly cacheSize: number;

  constructor(private readonly opts: OcspOptions) {
    this.now = opts.now ?? (() => new Date());
    this.maxAgeMs = opts.maxAgeMs ?? 24 * 3600_000;
    this.skewMs = opts.skewMs ?? 300_000;
    this.retryAfterMs = opts.retryAfterMs ?? 30_000;
    this.cacheSize = opts.cacheSize ?? 10_000;
  }

  /** Responder URLs to ask for this certificate, in order; empty when OCSP does not apply. */
  urlsFor(cert: X509Certificate): string[] {
    const own = ocspUrlsOf(certInfo(cert));
    const configured = this.opts.responderUrl;
    if (configured && (this.opts.overrideCertificateUrl || own.length === 0)) return [configured];
    return own;
  }

  /** A fresh cached status, or undefined. Synchronous and cheap. */
  cached(cert: X509Certificate, issuer: X509Certificate, now = this.now()): OcspStatus | undefined {
    const e = this.cache.get(key(cert, issuer));
    if (!e) return undefined;
    if (now.getTime() > e.expires || now.getTime() + this.skewMs < e.status.thisUpdate.getTime()) return undefined;
    return e.status;
  }

  /**
   * cached(), and when the status has run through three quarters of its lifetime, a background
   * refresh — so a certificate in regular use is never caught without a fresh status.
   */
  current(cert: X509Certificate, issuer: X509Certificate, now = this.now()): OcspStatus | undefined {
    const status = this.cached(cert, issuer, now);
    const e = this.cache.get(key(cert, issuer));
    if (status && e && now.getTime() > e.expires - (e.expires - status.thisUpdate.getTime()) / 4) this.refreshInBackground(cert, issuer);
    return status;
  }

  /** Why the last refresh failed (if it did, recently). */
  lastFailure(cert: X509Certificate, issuer: X509Certificate): Art50Error | undefined {
    return this.failures.get(key(cert, issuer))?.error;
  }

  /** Whether a refresh would ask the responder now (not failed within retryAfterMs). */
  mayAsk(cert: X509Certificate, issuer: X509Certificate): boolean {
    const f = this.failures.get(key(cert, issuer));
    return !f || this.now().getTime() - f.at >= this.retryAfterMs;
  }

  /** Fetches, checks and caches the status; rejects with cert.ocsp_unavailable. */
  refresh(cert: X509Certificate, issuer: X509Certificate): Promise<OcspStatus> {
    const k = key(cert, issuer);
    const running = this.inflight.get(k);
    if (running) return running;
    const p = this.fetchStatus(cert, issuer).finally(() => this.inflight.delete(k));
    this.inflight.set(k, p);
    return p;
  }

  /** refresh() without waiting; failures are remembered (and reported through onError). */
  refreshInBackground(cert: X509Certificate, issuer: X509Certificate): void {
    if (!this.mayAsk(cert, issuer)) return;
    this.refresh(cert, issuer).catch(() => undefined);
  }

  private async fetchStatus(cert: X509Certificate, issuer: X509Certificate): Promise<OcspStatus> {
    const k = key(cert, issuer);
    const urls = this.urlsFor(cert);
    let last: Art50Error = new Art50Error('cert.ocsp_unavailable', 'no OCSP responder is named or configured');
    for (const url of urls) {
      const request = buildOcspRequest(cert, issuer);
      try {
        let der: Buffer;
        try {
          der = await this.opts.fetcher(url, request.der);
        } catch (e) {
          throw new Art50Error('cert.ocsp_unavailable', `OCSP responder ${url} did not answer: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        }
        const status = checkOcspResponse(der, {
          request, issuer, now: this.now(), maxAgeMs: this.maxAgeMs, skewMs: this.skewMs,
          requireNonce: this.opts.requireNonce ?? true, responder: url,
        });
        this.store(k, status);
        this.failures.delete(k);
        return status;
      } catch (e) {
        last = isArt50Error(e) && e.code === 'cert.ocsp_unavailable'
          ? new Art50Error('cert.ocsp_unavailable', e.detail?.includes(url) ? e.detail : `${url}: ${e.detail ?? ''}`, { cause: e })
          : new Art50Error('cert.ocsp_unavailable', `${url}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        this.opts.onError?.(last, url);
      }
    }
    this.failures.set(k, { at: this.now().getTime(), error: last });
    if (this.failures.size > this.cacheSize) this.failures.delete(this.failures.keys().next().value as string);
    throw last;
  }

  private store(k: string, status: OcspStatus): void {
    const cap = status.thisUpdate.getTime() + this.maxAgeMs;
    const expires = status.nextUpdate ? Math.min(status.nextUpdate.getTime(), cap) : cap;
    this.cache.delete(k);
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(k, { status, expires });
  }
}

function key(cert: X509Certificate, issuer: X509Certificate): string {
  return `${certInfo(issuer).fingerprint}/${certInfo(cert).serial}`;
}
