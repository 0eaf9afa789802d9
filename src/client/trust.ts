import { createAjv } from '../documents/ajv';
import { DocumentVerifier, SignedDocument, VerifiableKinds } from '../documents/signed-document';
import { createDocumentValidators } from '../documents/validators';
import { loadRegistry, Registry } from '../participants/registry';
import type { PathValidator } from '../pki/types';
import { loadTrust } from '../pki/trust';
import { DEFAULT_CA, DEFAULT_CRL, DEFAULT_REGISTRY } from './api-client';

/**
 * Client-side document checks (police, prosecutor, reference bank): the same pipeline the gateway
 * runs — CMS signature, signer path to the trust root with CRLs, signer in the participant registry,
 * JSON, schema — so nothing is written to disk or acted on before it verifies.
 */
export interface ClientTrust {
  validator: PathValidator;
  registry: Registry;
  open<K extends keyof VerifiableKinds>(der: Buffer, kind: K): SignedDocument<VerifiableKinds[K]>;
  close(): void;
}

export function loadClientTrust(o: { ca?: string; crl?: string[]; registry?: string } = {}): ClientTrust {
  const validator = loadTrust({ anchors: [o.ca ?? DEFAULT_CA], crls: o.crl ?? [DEFAULT_CRL], crlOptions: { pollMs: 0 } });
  try {
    const ajv = createAjv();
    const registry = loadRegistry(ajv, o.registry ?? DEFAULT_REGISTRY);
    return clientTrust(validator, registry, () => validator.close());
  } catch (e) {
    validator.close();
    throw e;
  }
}

/** From an existing validator and registry (in-process use: demo, tests). */
export function clientTrust(validator: PathValidator, registry: Registry, close: () => void = () => undefined): ClientTrust {
  const verifier = new DocumentVerifier({
    validator, registry, validators: createDocumentValidators(createAjv()), maxJsonBytes: 1024 ** 2,
  });
  return { validator, registry, open: (der, kind) => verifier.open(der, kind), close };
}
