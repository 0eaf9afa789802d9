import type { PageKey } from './cms';
import { child, int, Node, oid, read } from './der';

/**
 * The "software key" signer: a PKCS#12 file opened in the page with WebCrypto. The key is
 * decrypted into a non-extractable CryptoKey and never leaves the page. Reads what NCA and
 * OpenSSL 3 write: certificates in plain data bags, the key in a PBES2 (PBKDF2-HMAC-SHA-256,
 * AES-CBC) shrouded key bag. GOST keys sign through NCALayer only (WebCrypto has no GOST).
 */

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  certBag: '1.2.840.113549.1.12.10.1.3',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacSha256: '1.2.840.113549.2.9',
  hmacSha1: '1.2.840.113549.2.7',
  aes128: '2.16.840.1.101.3.4.1.2',
  aes256: '2.16.840.1.101.3.4.1.42',
  rsa: '1.2.840.113549.1.1.1',
  ec: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
};

export class SoftwareKeyError extends Error {
  constructor(readonly messageKey: string) {
    super(messageKey);
  }
}

async function decryptPbes2(params: Node, data: Uint8Array, password: string): Promise<Uint8Array> {
  const kdf = child(params, 0);
  const enc = child(params, 1);
  if (oid(child(kdf, 0)) !== OID.pbkdf2) throw new SoftwareKeyError('key.unsupported');
  const kp = child(kdf, 1);
  const salt = child(kp, 0).value.slice();
  const iterations = int(child(kp, 1));
  const prfNode = kp.children!.find((c) => c.tag === 0x30);
  const prf = prfNode ? oid(child(prfNode, 0)) : OID.hmacSha1;
  const encOid = oid(child(enc, 0));
  if (encOid !== OID.aes256 && encOid !== OID.aes128) throw new SoftwareKeyError('key.unsupported');
  const iv = child(enc, 1).value.slice();
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveKey']);
  const aes = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', salt, iterations, hash: prf === OID.hmacSha256 ? 'SHA-256' : 'SHA-1' },
    base,
    { name: 'AES-CBC', length: encOid === OID.aes256 ? 256 : 128 },
    false,
    ['decrypt'],
  );
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv }, aes, data.slice()));
  } catch {
    throw new SoftwareKeyError('key.wrong_password');
  }
}

function selfIssued(der: Uint8Array): boolean {
  const tbs = child(read(der), 0);
  const v = child(tbs, 0).tag === 0xa0 ? 1 : 0;
  const issuer = child(tbs, 2 + v).der;
  const subject = child(tbs, 4 + v).der;
  return issuer.length === subject.length && issuer.every((b, i) => b === subject[i]);
}

/** The certificates and the decrypted PKCS#8 key of a PKCS#12 file (PBES2 shrouded key bag). */
export async function readPkcs12(file: Uint8Array, password: string): Promise<{ certs: Uint8Array[]; pkcs8: Uint8Array; certificate: Uint8Array }> {
  let pfx: Node;
  try {
    pfx = read(file);
  } catch {
    throw new SoftwareKeyError('key.not_pkcs12');
  }
  const certs: Uint8Array[] = [];
  let pkcs8: Uint8Array | undefined;
  try {
    const auth = child(child(pfx, 1), 1);
    const safe = read(child(auth, 0).value);
    for (const ci of safe.children ?? []) {
      if (oid(child(ci, 0)) !== OID.data) continue; // encrypted certificate bags: not written by NCA or OpenSSL 3 defaults
      const bags = read(child(child(ci, 1), 0).value);
      for (const bag of bags.children ?? []) {
        const id = oid(child(bag, 0));
        const value = child(child(bag, 1), 0);
        if (id === OID.certBag) certs.push(child(child(value, 1), 0).value);
        if (id === OID.shroudedKeyBag) {
          const alg = child(value, 0);
          if (oid(child(alg, 0)) !== OID.pbes2) throw new SoftwareKeyError('key.unsupported');
          pkcs8 = await decryptPbes2(child(alg, 1), child(value, 1).value, password);
        }
      }
    }
  } catch (e) {
    if (e instanceof SoftwareKeyError) throw e;
    throw new SoftwareKeyError('key.not_pkcs12');
  }
  if (!pkcs8 || certs.length === 0) throw new SoftwareKeyError('key.not_pkcs12');
  // The key's own certificate: the one not issued by itself (the file also carries the root).
  return { certs, pkcs8, certificate: certs.find((c) => !selfIssued(c)) ?? certs[0]! };
}

/**
 * A body's encryption key (RSA) for opening statements: imported as a non-extractable RSA-OAEP
 * (SHA-256) CryptoKey, so it can unwrap content keys in the page and never be read out of it.
 */
export async function openDecryptionKey(file: Uint8Array, password: string): Promise<{ certificate: Uint8Array; key: CryptoKey }> {
  const { pkcs8, certificate } = await readPkcs12(file, password);
  if (oid(child(child(read(pkcs8), 1), 0)) !== OID.rsa) throw new SoftwareKeyError('key.unsupported');
  try {
    return { certificate, key: await crypto.subtle.importKey('pkcs8', pkcs8.slice(), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']) };
  } catch {
    throw new SoftwareKeyError('key.unsupported');
  }
}

/** Opens a PKCS#12 file: the first certificate whose key is in the file, and that key as a signer. */
export async function openPkcs12(file: Uint8Array, password: string): Promise<PageKey & { name: string }> {
  const { pkcs8, certificate } = await readPkcs12(file, password);
  const alg = child(child(read(pkcs8), 1), 0);
  const algOid = oid(alg);
  let key: CryptoKey;
  let kind: 'rsa' | 'ec';
  try {
    if (algOid === OID.rsa) {
      kind = 'rsa';
      key = await crypto.subtle.importKey('pkcs8', pkcs8.slice(), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    } else if (algOid === OID.ec) {
      kind = 'ec';
      const curve = oid(child(child(read(pkcs8), 1), 1));
      const namedCurve = curve === OID.p256 ? 'P-256' : curve === OID.p384 ? 'P-384' : '';
      if (!namedCurve) throw new SoftwareKeyError('key.unsupported');
      key = await crypto.subtle.importKey('pkcs8', pkcs8.slice(), { name: 'ECDSA', namedCurve }, false, ['sign']);
    } else {
      throw new SoftwareKeyError('key.gost_use_ncalayer');
    }
  } catch (e) {
    if (e instanceof SoftwareKeyError) throw e;
    throw new SoftwareKeyError('key.unsupported');
  }
  return {
    certificate,
    kind,
    name: '',
    sign: async (data) =>
      new Uint8Array(await crypto.subtle.sign(kind === 'ec' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' }, key, data.slice())),
  };
}
