import { X509Certificate } from 'node:crypto';
import { loadKeyFile } from '../../src/pki/key-file';
import type { SignerKey } from '../../src/pki/suites';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { signCms } from '../../src/cms/sign';
import type { SigningIdentity } from '../../src/cms/types';

export const KEYS = resolve(__dirname, '..', '..', 'keys.example');

export interface TestIdentity extends SigningIdentity {
  name: string;
  certPath: string;
  keyPath: string;
  certPem: Buffer;
  keyPem: Buffer;
  cert: X509Certificate;
  /** RSA/EC keys as KeyObject; the GOST SIGN key of investigator-gost as a GOST key. */
  key: SignerKey;
}

const cache = new Map<string, TestIdentity>();

/** A keys.example identity by its path, e.g. "police/investigator-1" or "banks/ALFAKZKA". */
export function identity(name: string): TestIdentity {
  let id = cache.get(name);
  if (!id) {
    const certPath = join(KEYS, `${name}.pem`);
    const keyPath = join(KEYS, `${name}.key`);
    const certPem = readFileSync(certPath);
    const keyPem = readFileSync(keyPath);
    id = { name, certPath, keyPath, certPem, keyPem, cert: new X509Certificate(certPem), key: loadKeyFile(keyPem, keyPath, () => '').key };
    cache.set(name, id);
  }
  return id;
}

/**
 * The identity that signs documents for `name`: its NCA SIGN key (`<name>.sign.*`) when it has one
 * (people), else the one certificate (systems: banks, the gateway's seal).
 */
export function signer(name: string): TestIdentity {
  return existsSync(join(KEYS, `${name}.sign.pem`)) ? identity(`${name}.sign`) : identity(name);
}

export function sign(doc: unknown, who: string): Buffer {
  const bytes = Buffer.isBuffer(doc) ? doc : Buffer.from(JSON.stringify(doc), 'utf8');
  return signCms(bytes, signer(who));
}

export const ROOT_PEM = (): Buffer => readFileSync(join(KEYS, 'ca', 'root.pem'));

let plainRegistry: string | undefined;

/**
 * keys.example's participant registry without the police bodies' encryption certificates: bodies
 * not enrolled for encryption, for which banks post the signed statement itself and the gateway
 * checks its content. The test gateway uses it unless a test passes ART50_REGISTRY (the encrypted
 * form: ENCRYPTED_REGISTRY).
 */
export function plainRegistryFile(): string {
  if (!plainRegistry) {
    const file = JSON.parse(readFileSync(ENCRYPTED_REGISTRY, 'utf8')) as { organisations: Array<Record<string, unknown>> };
    for (const o of file.organisations) delete o.encryptionCertificate;
    plainRegistry = join(mkdtempSync(join(tmpdir(), 'art50-registry-')), 'participants.plain.json');
    writeFileSync(plainRegistry, JSON.stringify(file, null, 2));
  }
  return plainRegistry;
}

/** keys.example/participants.json as generated: bodies A and B read statements encrypted only. */
export const ENCRYPTED_REGISTRY = join(KEYS, 'participants.json');
