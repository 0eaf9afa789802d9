import { createHash, X509Certificate } from 'node:crypto';
import { Art50Error } from '../errors';

/**
 * Parsed certificates by SHA-256 of their DER. Parsing a certificate with node:crypto costs about
 * 0.2 ms — more than an RSA signature check — and every document carries its signer's certificate,
 * so a known signer is parsed once. Returning the same X509Certificate object also lets the
 * certInfo memo and the path cache hit. Bounded (oldest entry dropped first).
 */
export class CertificateCache {
  private readonly map = new Map<string, X509Certificate>();
  constructor(private readonly max = 1000) {}

  get(der: Buffer): X509Certificate {
    const key = createHash('sha256').update(der).digest('base64');
    const hit = this.map.get(key);
    if (hit) return hit;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch (e) {
      throw new Art50Error('cms.malformed', 'an included certificate cannot be parsed', { cause: e });
    }
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, cert);
    return cert;
  }
}
