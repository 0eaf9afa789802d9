import { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../client/cli';
import { keyFileNeedsPassword, loadKeyFile, parseCertificateFile } from '../pki/key-file';
import type { DecryptionIdentity } from '../statements/unseal';
import { obtainPassword, PasswordFlags } from './password';

export interface DecryptionFlags extends PasswordFlags {
  decryptP12?: string;
  decryptCert?: string;
  decryptKey?: string;
}

/** The body's encryption key (`--decrypt-p12`, or `--decrypt-cert` + `--decrypt-key`), with the key password as for every key. */
export async function openDecryptionIdentity(o: DecryptionFlags): Promise<DecryptionIdentity | undefined> {
  const file = o.decryptP12 ?? o.decryptKey;
  if (!file) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new UsageError(`cannot read the decryption key ${file}`);
  }
  const pw = keyFileNeedsPassword(file, bytes) ? await obtainPassword(o, file) : '';
  const loaded = loadKeyFile(bytes, file, () => pw);
  const cert = o.decryptCert ? parseCertificateFile(readFileSync(o.decryptCert), o.decryptCert) : loaded.certificates[0];
  if (!cert) throw new UsageError('the decryption key needs its certificate: --decrypt-cert, or a PKCS#12 file that holds it');
  if (!(loaded.key instanceof KeyObject) || loaded.key.asymmetricKeyType !== 'rsa') throw new UsageError(`${file} is not an RSA key: encryption keys are RSA (RSA-OAEP)`);
  return { cert, key: loaded.key };
}
