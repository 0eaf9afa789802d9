import type { Command } from 'commander';
import { KeyObject, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { SigningIdentity } from '../cms/types';
import { UsageError } from '../client/cli';
import { isArt50Error } from '../errors';
import { certInfo } from '../pki/cert-info';
import { keyFileNeedsPassword, loadKeyFile, parseCertificateFile } from '../pki/key-file';
import { obtainPassword, PasswordFlags } from './password';

/**
 * The key options every command that acts as a person or a system takes, and how they resolve.
 *
 * NCA RK gives each person two keys: AUTH (clientAuth; TLS) and SIGN (emailProtection; documents).
 * `--cert/--key` or `--p12` is the AUTH identity; the SIGN identity is `--sign-cert/--sign-key` or
 * `--sign-p12`, and by default the `<name>.sign.*` files beside the AUTH ones (keys.example's layout).
 * A system certificate that carries both usages (a bank's) simply has no `.sign` files.
 */

export interface IdentityFlags extends PasswordFlags {
  cert?: string;
  key?: string;
  p12?: string;
  signCert?: string;
  signKey?: string;
  signP12?: string;
}

export interface OpenedIdentity {
  /** PEM cert + key for the TLS client connection. */
  tls: { cert: Buffer; key: Buffer };
  auth: SigningIdentity;
  /** The document-signing identity (the SIGN key), opened on first use. */
  signer(): Promise<SigningIdentity>;
}

export function identityFlags(cmd: Command, who: string, o: { signs?: boolean; required?: boolean } = {}): Command {
  cmd
    .option('--cert <pem>', `${who} certificate (NCA AUTH key; the TLS client certificate)`)
    .option('--key <file>', 'its private key (PEM, encrypted PEM or DER)')
    .option('--p12 <file>', 'the AUTH key and certificate as a PKCS#12 file (instead of --cert/--key)');
  if (o.signs) {
    cmd
      .option('--sign-cert <pem>', 'document-signing certificate (NCA SIGN key; default: <cert>.sign.pem beside --cert)')
      .option('--sign-key <file>', 'its private key (default: <key>.sign.key beside --key)')
      .option('--sign-p12 <file>', 'the SIGN key as PKCS#12 (default: <p12>.sign.p12 beside --p12)');
  }
  return cmd.option('--password-file <file>', 'file holding the key password (else $ART50_KEY_PASSWORD, else a prompt)');
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new UsageError(`cannot read ${what} ${path}`);
  }
}

/** `x.pem` → `x.sign.pem`; undefined when that file does not exist. */
function beside(path: string | undefined, ext: string): string | undefined {
  if (!path) return undefined;
  const candidate = path.replace(/(\.[^./\\]+)?$/, `.sign${ext}`);
  return candidate !== path && existsSync(candidate) ? candidate : undefined;
}

async function openPair(flags: PasswordFlags, certPath: string | undefined, keyPath: string | undefined, p12: string | undefined, label: string): Promise<SigningIdentity> {
  const password = async (what: string): Promise<string> => obtainPassword(flags, what);
  try {
    if (p12) {
      const bytes = read(p12, `${label} PKCS#12 file`);
      const pw = await password(p12);
      const { key, certificates } = loadKeyFile(bytes, p12, () => pw);
      const [cert, ...rest] = certificates;
      if (!cert) throw new UsageError(`${p12} holds no certificate`);
      return { cert, key, chain: intermediates(rest) };
    }
    if (!certPath || !keyPath) throw new UsageError(`${label}: give --cert and --key, or --p12`);
    const cert = parseCertificateFile(read(certPath, 'certificate'), certPath);
    const keyBytes = read(keyPath, 'private key');
    const pw = keyFileNeedsPassword(keyPath, keyBytes) ? await password(keyPath) : '';
    const { key } = loadKeyFile(keyBytes, keyPath, () => pw);
    return { cert, key };
  } catch (e) {
    if (isArt50Error(e)) throw new UsageError(e.detail);
    throw e;
  }
}

/** Self-signed roots are the verifier's trust anchors; a signature carries only the certificates below them. */
function intermediates(certs: readonly X509Certificate[]): X509Certificate[] {
  return certs.filter((c) => !certInfo(c).issuer.equals(certInfo(c).subjectName));
}

export async function openIdentity(o: IdentityFlags, label = 'identity'): Promise<OpenedIdentity> {
  const auth = await openPair(o, o.cert, o.key, o.p12, label);
  let signer: Promise<SigningIdentity> | undefined;
  const tlsKey = auth.key instanceof KeyObject ? auth.key : undefined;
  return {
    auth,
    get tls() {
      // node's TLS (OpenSSL without the gost engine) speaks RSA and EC only: NCA's AUTH keys for TLS are RSA.
      if (!tlsKey) throw new UsageError(`${label}: a GOST key cannot open a TLS connection; use the RSA or EC AUTH key for --cert/--key or --p12`);
      return {
        cert: Buffer.from([auth.cert, ...(auth.chain ?? [])].map((c) => c.toString()).join('')),
        key: Buffer.from(tlsKey.export({ format: 'pem', type: 'pkcs8' }) as string),
      };
    },
    signer: () => (signer ??= openSigner(o, auth, label)),
  };
}

async function openSigner(o: IdentityFlags, auth: SigningIdentity, label: string): Promise<SigningIdentity> {
  if (o.signP12) return openPair(o, undefined, undefined, o.signP12, `${label} (SIGN key)`);
  if (o.signCert || o.signKey) return openPair(o, o.signCert, o.signKey, undefined, `${label} (SIGN key)`);
  const p12 = beside(o.p12, '.p12');
  if (p12) return openPair(o, undefined, undefined, p12, `${label} (SIGN key)`);
  const cert = beside(o.cert, '.pem');
  const key = beside(o.key, '.key');
  if (cert && key) return openPair(o, cert, key, undefined, `${label} (SIGN key)`);
  return auth;
}
