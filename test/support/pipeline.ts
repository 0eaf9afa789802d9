import { join } from 'node:path';
import { createAjv } from '../../src/documents/ajv';
import { DocumentVerifier } from '../../src/documents/signed-document';
import { createDocumentValidators } from '../../src/documents/validators';
import { loadRegistry } from '../../src/participants/registry';
import type { ChainValidator } from '../../src/pki/chain';
import { loadTrust } from '../../src/pki/trust';
import { KEYS } from './identities';

/**
 * The gateway's verification pipeline for signed documents (CMS → path → registry → JSON →
 * schema), built in-process from keys.example/ as the composition root builds it — for tests that
 * push many thousands of documents through it without HTTP.
 */
export function inProcessVerifier(): { verifier: DocumentVerifier; validator: ChainValidator; close(): void } {
  const ajv = createAjv();
  const registry = loadRegistry(ajv, join(KEYS, 'participants.json'));
  const validator = loadTrust({ anchors: [join(KEYS, 'ca', 'root.pem')], crls: [join(KEYS, 'ca', 'crl.pem')] });
  const verifier = new DocumentVerifier({ validator, registry, validators: createDocumentValidators(ajv), maxJsonBytes: 1024 * 1024 });
  return { verifier, validator, close: () => validator.close() };
}
