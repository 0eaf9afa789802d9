import { join } from 'node:path';
import { loadServerKey } from './pki/key-file';
import { loadSubjectSecret } from './log/subject-key';
import { DataKeyring } from './store/data-keys';

type KeySource = { cert: string; key: string } | { p12: string };
type SecretSource = { text: string } | { file: string };

/** What of the configuration holds the gateway's own secrets. */
export interface GatewaySecrets {
  tls: KeySource;
  seal: KeySource;
  dataKeys: SecretSource;
  subjectSecret: SecretSource;
  keyPassword?: string;
}

/**
 * The variable whose secret is one published in `demoGatewayDir` (keys.example/gateway/), or
 * undefined. Compared as secrets, not as files: the private key itself (PEM or PKCS#12, however
 * encoded or encrypted), every key of the data keyring (a keyring that merely lists a demo key
 * among its own is caught too), the subject secret's bytes. A secret that cannot be read here is
 * left to the loader that uses it, which reports it.
 */
export function demoSecretIn(cfg: GatewaySecrets, demoGatewayDir: string): string | undefined {
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  const demo = (name: string): string => join(demoGatewayDir, name);
  const demoKeys = ['tls', 'seal'].map((n) => attempt(() => loadServerKey({ cert: demo(`${n}.pem`), key: demo(`${n}.key`) }, undefined, n)?.keyPem)).filter((k): k is Buffer => k !== undefined);
  const isDemoKey = (src: KeySource, name: string): boolean => {
    const own = attempt(() => loadServerKey(src, cfg.keyPassword, name).keyPem);
    return own !== undefined && demoKeys.some((k) => k.equals(own));
  };
  const keyVar = (name: 'TLS' | 'SEAL', src: KeySource): string => ('p12' in src ? `ART50_${name}_P12` : `ART50_${name}_KEY`);
  if (isDemoKey(cfg.tls, 'TLS')) return keyVar('TLS', cfg.tls);
  if (isDemoKey(cfg.seal, 'SEAL')) return keyVar('SEAL', cfg.seal);

  const demoRing = attempt(() => DataKeyring.load({ file: demo('data-keys') }));
  const ring = attempt(() => DataKeyring.load(cfg.dataKeys));
  if (demoRing && ring?.sharesKeyWith(demoRing)) return 'file' in cfg.dataKeys ? 'ART50_DATA_KEY_FILE' : 'ART50_DATA_KEYS';

  const demoSubject = attempt(() => loadSubjectSecret({ file: demo('subject-key') }));
  const subject = attempt(() => loadSubjectSecret(cfg.subjectSecret));
  if (demoSubject && subject?.equals(demoSubject)) return 'file' in cfg.subjectSecret ? 'ART50_SUBJECT_KEY_FILE' : 'ART50_SUBJECT_KEY';
  return undefined;
}
