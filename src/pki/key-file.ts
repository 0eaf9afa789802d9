import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseGostPkcs8 } from './gost';
import type { SignerKey } from './suites';
import { Art50Error } from '../errors';
import { looksLikePkcs12, readPkcs12, WrongPasswordError } from './pkcs12';

/**
 * Private keys the way people hold them: PEM (plain or encrypted PKCS#8 / traditional), DER, or a
 * PKCS#12 file as NCA RK issues them. A password is asked for only when the file needs one, so a
 * plain PEM key never triggers a prompt.
 */

/** Gives the password when asked; may throw (no password available) — asked at most once per file. */
export type PasswordSource = (what: string) => string;

export interface KeyWithCertificates {
  /** node:crypto's key, or a GOST R 34.10-2012 key (which OpenSSL without the gost engine cannot load). */
  key: SignerKey;
  /** From a PKCS#12 file: the key's certificate first, then the rest of its chain. Empty for plain keys. */
  certificates: X509Certificate[];
}

const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;

export function isPkcs12File(path: string, bytes: Buffer): boolean {
  return /\.(p12|pfx)$/i.test(path) || looksLikePkcs12(bytes);
}

/** True when loading this key file will ask for a password. */
export function keyFileNeedsPassword(path: string, bytes: Buffer): boolean {
  return isPkcs12File(path, bytes) || ENCRYPTED_PEM.test(bytes.toString('latin1'));
}

/** Loads a private key (and, from PKCS#12, its certificates). `what` names the file in errors. */
export function loadKeyFile(bytes: Buffer, what: string, password: PasswordSource): KeyWithCertificates {
  if (isPkcs12File(what, bytes)) {
    const p12 = readPkcs12(bytes, password(what), what);
    const key = pkcs8Key(p12.keyDer, what);
    const certificates = p12.certificates.map((d, i) => {
      try {
        return new X509Certificate(d);
      } catch (e) {
        throw new Art50Error('config.invalid', `${what}: certificate ${i + 1} cannot be parsed`, { cause: e });
      }
    });
    return { key, certificates };
  }
  const text = bytes.toString('latin1');
  if (ENCRYPTED_PEM.test(text)) {
    const passphrase = password(what);
    try {
      return { key: createPrivateKey({ key: bytes, format: 'pem', passphrase }), certificates: [] };
    } catch (e) {
      if (/bad decrypt|decrypt|passphrase/i.test((e as Error).message)) throw new WrongPasswordError(what);
      throw new Art50Error('config.invalid', `${what} is not a readable private key: ${(e as Error).message}`, { cause: e });
    }
  }
  const pkcs8 = PKCS8_PEM.exec(text);
  if (pkcs8) return { key: pkcs8Key(Buffer.from(pkcs8[1]!.replace(/\s+/g, ''), 'base64'), what), certificates: [] };
  try {
    const isPem = text.includes('-----BEGIN');
    return { key: isPem ? createPrivateKey(bytes) : pkcs8Key(bytes, what), certificates: [] };
  } catch (e) {
    if (e instanceof Art50Error) throw e;
    throw new Art50Error('config.invalid', `${what} is not a readable private key (PEM, DER PKCS#8 or PKCS#12 expected): ${(e as Error).message}`, { cause: e });
  }
}

const PKCS8_PEM = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]*)-----END PRIVATE KEY-----/;

/** PKCS#8 PrivateKeyInfo → node:crypto's key, else a GOST key, else config.invalid. */
function pkcs8Key(der: Buffer, what: string): SignerKey {
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (e) {
    try {
      return parseGostPkcs8(der, 'config.invalid');
    } catch {
      throw new Art50Error('config.invalid', `${what}: the private key cannot be read (RSA, EC and GOST R 34.10-2012 keys are supported)`, { cause: e });
    }
  }
}

/** A certificate from PEM or DER bytes. */
export function parseCertificateFile(bytes: Buffer, what: string): X509Certificate {
  try {
    return new X509Certificate(bytes);
  } catch (e) {
    throw new Art50Error('config.invalid', `${what} is not a readable certificate (PEM or DER)`, { cause: e });
  }
}

/** One of the gateway's own keys, loaded: KeyObject plus certificate and chain, and the PEM node's TLS wants. */
export interface ServerKey {
  cert: X509Certificate;
  chain: X509Certificate[];
  key: KeyObject;
  certPem: Buffer;
  keyPem: Buffer;
}

/**
 * The gateway's TLS or seal key from a PEM pair (plain or encrypted key) or a PKCS#12 file. These
 * keys sign with node:crypto, so they must be RSA or EC. Errors are config.invalid naming `what`.
 */
export function loadServerKey(src: { cert: string; key: string } | { p12: string }, password: string | undefined, what: string): ServerKey {
  const read = (path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Art50Error('config.unreadable', `${what}: ${path} is not readable`, { cause: e });
    }
  };
  const ask = (file: string): string => {
    if (password === undefined) throw new Art50Error('config.invalid', `${what}: ${file} is protected by a password; set ART50_KEY_PASSWORD_FILE (or ART50_KEY_PASSWORD)`);
    return password;
  };
  let loaded: KeyWithCertificates;
  let cert: X509Certificate;
  if ('p12' in src) {
    loaded = loadKeyFile(read(src.p12), src.p12, ask);
    if (!loaded.certificates[0]) throw new Art50Error('config.invalid', `${what}: ${src.p12} holds no certificate`);
    cert = loaded.certificates[0];
  } else {
    loaded = loadKeyFile(read(src.key), src.key, ask);
    cert = parseCertificateFile(read(src.cert), src.cert);
  }
  if (!(loaded.key instanceof KeyObject)) throw new Art50Error('config.invalid', `${what}: the gateway's own keys must be RSA or EC (node:crypto signs with them)`);
  const chain = loaded.certificates.slice(1).filter((c) => c.issuer !== c.subject);
  return {
    cert,
    chain,
    key: loaded.key,
    certPem: Buffer.from([cert, ...chain].map((c) => c.toString()).join('')),
    keyPem: Buffer.from(loaded.key.export({ format: 'pem', type: 'pkcs8' }) as string),
  };
}
