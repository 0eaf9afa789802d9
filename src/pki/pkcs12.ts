import { createCipheriv, createHash, createHmac, createPrivateKey, KeyObject, pbkdf2Sync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { algId, explicit, int, octetString, oid, seq, setOf, tlv } from '../asn1/der-write';
import { OID } from '../asn1/oids';
import { Art50Error } from '../errors';

/**
 * PKCS#12 (RFC 7292) key stores, the form NCA RK hands keys out in.
 *
 * Reading goes through node-forge, which decrypts every PBE scheme NCA files and OpenSSL exports use
 * (PBES2/AES, pbeWithSHAAnd3-KeyTripleDES, RC2-40 certificate bags) and verifies the MAC; forge only
 * understands RSA key objects, so keys are taken from it as PrivateKeyInfo DER and handed to
 * node:crypto (or, for key types OpenSSL cannot load, returned as DER to the caller).
 *
 * Writing is done here: forge can write RSA keys only. The file is what `openssl pkcs12 -export`
 * writes by default: the key as a PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) shrouded key bag,
 * certificates in a plain SafeContents, an HMAC-SHA-256 MAC over the authenticated safe.
 */

export interface Pkcs12Contents {
  /** The private key as PKCS#8 PrivateKeyInfo DER. */
  keyDer: Buffer;
  /** The certificate whose localKeyId matches the key (else the first), then the rest. */
  certificates: Buffer[];
}

const PKCS12 = {
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
};

const MAC_ITERATIONS = 2048;

/** RFC 7292 Appendix B.2 key derivation (used for the MAC key), SHA-256: u = 32, v = 64. */
function pkcs12Kdf(password: string, salt: Buffer, id: number, iterations: number, size: number): Buffer {
  const u = 32;
  const v = 64;
  const pwd = Buffer.from(`${password}\0`, 'utf16le').swap16(); // BMPString with its terminating NUL
  const fill = (b: Buffer): Buffer => (b.length === 0 ? b : Buffer.alloc(v * Math.ceil(b.length / v), b));
  const I = Buffer.concat([fill(salt), fill(pwd)]);
  const D = Buffer.alloc(v, id);
  const out: Buffer[] = [];
  for (let got = 0; got < size; got += u) {
    let A = createHash('sha256').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha256').update(A).digest();
    out.push(A);
    const B = Buffer.alloc(v, A);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const s = I[j + k]! + B[k]! + carry;
        I[j + k] = s & 0xff;
        carry = s >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, size);
}

function data(content: Buffer): Buffer {
  return seq(oid(OID.data), explicit(0, octetString(content)));
}

function bagAttributes(localKeyId: Buffer, friendlyName?: string): Buffer {
  const attrs = [seq(oid(PKCS12.localKeyId), setOf(octetString(localKeyId)))];
  if (friendlyName) attrs.push(seq(oid(PKCS12.friendlyName), setOf(tlv(0x1e, Buffer.from(friendlyName, 'utf16le').swap16()))));
  return setOf(...attrs);
}

/**
 * A password-protected PKCS#12 file holding `key` and `certificates` (the key's own certificate
 * first, then its chain), readable by `openssl pkcs12` and by readPkcs12.
 */
export function writePkcs12(o: { key: KeyObject | Buffer; certificates: readonly X509Certificate[]; password: string; friendlyName?: string }): Buffer {
  const [leaf] = o.certificates;
  if (!leaf) throw new Art50Error('config.invalid', 'a PKCS#12 file needs the key\'s certificate');
  const localKeyId = createHash('sha1').update(leaf.raw).digest();
  const encryptedKey = o.key instanceof KeyObject
    ? o.key.export({ format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: o.password })
    : encryptPkcs8(o.key, o.password);
  const keyBag = seq(oid(PKCS12.shroudedKeyBag), explicit(0, encryptedKey), bagAttributes(localKeyId, o.friendlyName));
  const certBags = o.certificates.map((c, i) =>
    seq(
      oid(PKCS12.certBag),
      explicit(0, seq(oid(PKCS12.x509Certificate), explicit(0, octetString(c.raw)))),
      ...(i === 0 ? [bagAttributes(localKeyId, o.friendlyName)] : []),
    ));
  const authSafe = seq(data(seq(...certBags)), data(seq(keyBag)));
  const macSalt = randomBytes(16);
  const macKey = pkcs12Kdf(o.password, macSalt, 3, MAC_ITERATIONS, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  const macData = seq(seq(algId(OID.sha256, Buffer.from([0x05, 0x00])), octetString(mac)), octetString(macSalt), int(MAC_ITERATIONS));
  return seq(int(3), data(authSafe), macData);
}

/**
 * PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) EncryptedPrivateKeyInfo for a PrivateKeyInfo node:crypto
 * cannot load (a GOST key): the same scheme node:crypto uses for the others.
 */
function encryptPkcs8(privateKeyInfo: Buffer, password: string): Buffer {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const iterations = 2048;
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const enc = Buffer.concat([cipher.update(privateKeyInfo), cipher.final()]);
  const pbkdf2 = algId('1.2.840.113549.1.5.12', seq(octetString(salt), int(iterations), algId('1.2.840.113549.2.9', Buffer.from([0x05, 0x00]))));
  const pbes2 = algId('1.2.840.113549.1.5.13', seq(pbkdf2, algId('2.16.840.1.101.3.4.1.42', octetString(iv))));
  return seq(pbes2, octetString(enc));
}

/** Thrown for a wrong password (the MAC or the key does not decrypt): a person's mistake, not a broken file. */
export class WrongPasswordError extends Art50Error {
  constructor(what: string) {
    super('config.invalid', `${what}: wrong password (the PKCS#12 integrity check failed)`);
  }
}

function toDer(a: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(a).getBytes(), 'binary');
}

/** The key and certificates of a PKCS#12 file. Throws WrongPasswordError or config.invalid (named `what`). */
export function readPkcs12(file: Buffer, password: string, what = 'PKCS#12 file'): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn = forge.asn1.fromDer(forge.util.createBuffer(file.toString('binary')), { strict: false } as unknown as boolean);
    p12 = forge.pkcs12.pkcs12FromAsn1(asn, false, password);
  } catch (e) {
    const msg = (e as Error).message ?? '';
    if (/MAC could not be verified|wrong password|Invalid password/i.test(msg)) throw new WrongPasswordError(what);
    throw new Art50Error('config.invalid', `${what} is not a readable PKCS#12 file: ${msg}`, { cause: e });
  }
  let keyDer: Buffer | undefined;
  let keyId: string | undefined;
  const certs: { der: Buffer; keyId?: string }[] = [];
  const attrId = (bag: forge.pkcs12.Bag): string | undefined => {
    const v = bag.attributes?.localKeyId?.[0] as unknown;
    return typeof v === 'string' ? Buffer.from(v, 'binary').toString('hex') : undefined;
  };
  for (const sc of p12.safeContents) {
    for (const bag of sc.safeBags) {
      if (bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag) {
        if (keyDer) continue;
        const b = bag as forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 };
        keyDer = b.key ? toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(b.key))) : b.asn1 ? toDer(b.asn1) : undefined;
        keyId = attrId(bag);
      } else if (bag.type === forge.pki.oids.certBag) {
        const b = bag as forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 };
        const der = b.cert ? toDer(forge.pki.certificateToAsn1(b.cert)) : b.asn1 ? toDer(b.asn1) : undefined;
        const id = attrId(bag);
        if (der) certs.push(id ? { der, keyId: id } : { der });
      }
    }
  }
  if (!keyDer) throw new Art50Error('config.invalid', `${what} holds no private key`);
  const own = certs.findIndex((c) => keyId !== undefined && c.keyId === keyId);
  const ordered = own > 0 ? [certs[own]!, ...certs.filter((_, i) => i !== own)] : certs;
  return { keyDer, certificates: ordered.map((c) => c.der) };
}

/** True when the bytes look like a PKCS#12 PFX (SEQUENCE { INTEGER 3, ContentInfo … }). */
export function looksLikePkcs12(bytes: Buffer): boolean {
  if (bytes[0] !== 0x30) return false;
  const lenLen = bytes[1]! & 0x80 ? (bytes[1]! & 0x7f) : 0;
  const at = 2 + lenLen;
  return bytes[at] === 0x02 && bytes[at + 1] === 0x01 && bytes[at + 2] === 0x03;
}

/** node:crypto key from PKCS#8 DER; undefined when OpenSSL does not know the algorithm (GOST). */
export function nodeKeyFromPkcs8(der: Buffer): KeyObject | undefined {
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
}
