import { X509Certificate } from 'node:crypto';
import { loadKeyFile } from '../../src/pki/key-file';
import type { SignerKey } from '../../src/pki/suites';
import { existsSync, readFileSync } from 'node:fs';
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
