/**
 * "Is this signed by the gateway?" for auditors: the CMS signer's path to the trust anchors
 * (with CRLs, purpose seal) AND its subject BIN is an organisation of kind `gateway` in the
 * participant registry. Used for checkpoints and receipts alike.
 */
import type { X509Certificate } from 'node:crypto';
import { Art50Error } from '../errors';
import { createAjv } from '../documents/ajv';
import { loadRegistry } from '../participants/registry';
import { loadTrust } from '../pki/trust';
import { DEFAULT_CA, DEFAULT_CRL, DEFAULT_REGISTRY } from '../client/api-client';

export interface GatewayTrustOptions {
  /** Trust anchors (PEM); default keys.example/ca/root.pem. */
  trust?: string;
  /** CRL files; default keys.example/ca/crl.pem. */
  crl?: string[];
  /** Participant registry; default keys.example/participants.json. */
  registry?: string;
}

export interface GatewayTrust {
  /** Throws unless `signer` chains to the anchors (not revoked, valid at `at` and now) and is the gateway. */
  check(signer: X509Certificate, chain: readonly X509Certificate[], at?: Date): { bin: string; fingerprint: string };
  close(): void;
}

export function gatewayTrust(opts: GatewayTrustOptions = {}): GatewayTrust {
  const validator = loadTrust({ anchors: [opts.trust ?? DEFAULT_CA], crls: opts.crl ?? [DEFAULT_CRL], crlOptions: { pollMs: 0 } });
  const registry = loadRegistry(createAjv(), opts.registry ?? DEFAULT_REGISTRY);
  return {
    check(signer, chain, at) {
      const v = validator.validate(signer, { purpose: 'seal', intermediates: chain, ...(at ? { at } : {}) });
      const bin = v.subject.bin;
      const org = bin ? registry.organisation(bin) : undefined;
      if (!bin || !org || org.kind !== 'gateway') {
        throw new Art50Error('participant.unknown', `the signer (${v.subject.cn ?? '?'}, BIN ${bin ?? 'none'}) is not the gateway in the participant registry`);
      }
      return { bin, fingerprint: v.fingerprint };
    },
    close: () => validator.close(),
  };
}
