import { X509Certificate } from 'node:crypto';
import { loadKeyFile } from '../../pki/key-file';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SigningIdentity } from '../../cms/types';
import { PACKAGE_ROOT } from '../../config';

export interface DemoIdentity extends SigningIdentity {
  certPem: Buffer;
  keyPem: Buffer;
}

/** A keys.example identity by its path ("police/head-1"), for the demo and the benchmark. */
export function demoIdentity(path: string, keysDir = join(PACKAGE_ROOT, 'keys.example')): DemoIdentity {
  const certPem = readFileSync(join(keysDir, `${path}.pem`));
  const keyPem = readFileSync(join(keysDir, `${path}.key`));
  return { cert: new X509Certificate(certPem), key: loadKeyFile(keyPem, path, () => '').key, certPem, keyPem };
}

/** The identity that signs documents for `path`: its SIGN key (`<path>.sign.*`) when it has one, else its one certificate. */
export function demoSigner(path: string, keysDir = join(PACKAGE_ROOT, 'keys.example')): DemoIdentity {
  return existsSync(join(keysDir, `${path}.sign.pem`)) ? demoIdentity(`${path}.sign`, keysDir) : demoIdentity(path, keysDir);
}
