import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { Art50Error } from '../errors';
import { ChainValidator, ChainValidatorOptions } from './chain';
import { FileCrlSource, FileCrlSourceOptions } from './crl-source';
import { OcspChecker, OcspOptions, RevocationOrder } from './ocsp/checker';

export interface TrustConfig {
  /** PEM files; each may hold several certificates. */
  anchors: string[];
  /** CRL files (PEM "X509 CRL" or DER), reloaded when they change. */
  crls: string[];
  /**
   * 'required' (default): every non-anchor certificate needs a fresh CRL from its issuer, so an
   * empty `crls` list makes every validation fail with cert.crl_missing — fail closed.
   * 'disabled': no revocation checking at all (development only; say so in the config).
   */
  revocation?: 'required' | 'disabled';
  crlOptions?: FileCrlSourceOptions;
  /**
   * OCSP: given, certificates that name a responder (or all, with ocsp.responderUrl) are checked
   * by OCSP in `revocationOrder` (default 'ocsp-then-crl'); the fetcher is passed in.
   */
  ocsp?: Omit<OcspOptions, 'now'>;
  revocationOrder?: RevocationOrder;
  now?: () => Date;
}

const CERT_PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export function readCertificates(file: string): X509Certificate[] {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (e) {
    throw new Art50Error('config.unreadable', `trust anchor file ${file} is not readable`, { cause: e });
  }
  const blocks = text.match(CERT_PEM) ?? [];
  if (blocks.length === 0) throw new Art50Error('config.invalid', `${file} holds no PEM certificate`);
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw new Art50Error('config.invalid', `${file}: a certificate cannot be parsed`, { cause: e });
    }
  });
}

/** Builds the path validator from configuration; call close() on shutdown to stop CRL polling. */
export function loadTrust(cfg: TrustConfig): ChainValidator {
  const anchors = cfg.anchors.flatMap(readCertificates);
  const crls = new FileCrlSource(cfg.crls, cfg.crlOptions ?? {});
  const opts: ChainValidatorOptions = { revocation: cfg.revocation ?? 'required' };
  if (cfg.now) opts.now = cfg.now;
  if (cfg.ocsp && (cfg.revocationOrder ?? 'ocsp-then-crl') !== 'crl-only') {
    opts.ocsp = new OcspChecker({ ...cfg.ocsp, ...(cfg.now ? { now: cfg.now } : {}) });
    opts.revocationOrder = cfg.revocationOrder ?? 'ocsp-then-crl';
  }
  return new ChainValidator(anchors, crls, opts);
}
