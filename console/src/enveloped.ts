import { child, int, Node, oid, read } from './der';
import { PageError } from './shared';

/**
 * Opens a statement encrypted to the body (CMS AuthEnvelopedData, RFC 5083: AES-256-GCM content,
 * RSA-OAEP/SHA-256 key transport) in the page with WebCrypto: the body's key unwraps the content
 * key, AES-GCM decrypts and authenticates. The same allowlist as the gateway and the CLI
 * (src/cms/auth-enveloped.ts) is checked before any crypto runs; the error codes are theirs.
 */

const OID = {
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  data: '1.2.840.113549.1.7.1',
  aes256Gcm: '2.16.840.1.101.3.4.1.46',
  rsaesOaep: '1.2.840.113549.1.1.7',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha1: '1.3.14.3.2.26',
  mgf1: '1.2.840.113549.1.1.8',
};

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const malformed = (): never => {
  throw new PageError('cms.malformed', 'stmt.malformed');
};
const unsupported = (): never => {
  throw new PageError('cms.unsupported_algorithm', 'stmt.unsupported');
};

/** issuer and serial INTEGER (the whole TLVs) of a certificate, as a KeyTransRecipientInfo names it. */
function issuerAndSerial(cert: Uint8Array): { issuer: Uint8Array; serial: Uint8Array } {
  const tbs = child(read(cert), 0);
  const v = child(tbs, 0).tag === 0xa0 ? 1 : 0;
  return { serial: child(tbs, v).der, issuer: child(tbs, 2 + v).der };
}

function checkOaep(alg: Node): void {
  if (oid(child(alg, 0)) !== OID.rsaesOaep) unsupported();
  let hash = OID.sha1;
  let mgfHash = OID.sha1;
  for (const p of alg.children?.[1]?.children ?? []) {
    if (p.tag === 0xa0) hash = oid(child(child(p, 0), 0));
    else if (p.tag === 0xa1) {
      const mgf = child(p, 0);
      if (oid(child(mgf, 0)) !== OID.mgf1) unsupported();
      mgfHash = oid(child(child(mgf, 1), 0));
    } else unsupported();
  }
  if (hash !== OID.sha256 || mgfHash !== OID.sha256) unsupported();
}

/** The signed statement (CMS SignedData DER) inside, if `certificate` is a recipient and `key` opens it. */
export async function decryptAuthEnveloped(der: Uint8Array, certificate: Uint8Array, key: CryptoKey): Promise<Uint8Array> {
  let aed: Node;
  try {
    const ci = read(der);
    if (oid(child(ci, 0)) !== OID.authEnvelopedData) throw new PageError('cms.unsupported', 'stmt.malformed');
    aed = child(child(ci, 1), 0);
  } catch (e) {
    if (e instanceof PageError) throw e;
    return malformed();
  }
  const f = aed.children ?? [];
  let i = 1;
  if (f[i]?.tag === 0xa0) i++; // originatorInfo
  const me = issuerAndSerial(certificate);
  let wrapped: Uint8Array | undefined;
  for (const ri of f[i++]?.children ?? []) {
    if (ri.tag !== 0x30) unsupported(); // only KeyTransRecipientInfo
    const rid = child(ri, 1);
    checkOaep(child(ri, 2));
    if (int(child(ri, 0)) === 0 && rid.tag === 0x30 && same(child(rid, 0).der, me.issuer) && same(child(rid, 1).der, me.serial)) wrapped = child(ri, 3).value;
  }
  const eci = f[i++];
  if (!eci) return malformed();
  if (oid(child(eci, 0)) !== OID.data) malformed();
  const alg = child(eci, 1);
  if (oid(child(alg, 0)) !== OID.aes256Gcm) unsupported();
  const nonce = child(child(alg, 1), 0).value;
  const icv = child(alg, 1).children?.[1];
  if (nonce.length !== 12 || (icv ? int(icv) : 12) !== 16) unsupported();
  const enc = child(eci, 2);
  if (enc.tag !== 0x80) malformed(); // primitive [0] (DER); constructed BER segments are not produced by art50 or openssl -outform DER
  let aad = new Uint8Array(0);
  if (f[i]?.tag === 0xa1) {
    aad = f[i]!.der.slice();
    aad[0] = 0x31; // RFC 5083 §2.2: the AAD is the DER of authAttrs with the SET OF tag
    i++;
  }
  const mac = f[i]?.value;
  if (!mac || mac.length !== 16) return malformed();
  if (!wrapped) throw new PageError('statement.wrong_recipient', 'stmt.wrongRecipient');
  let cek: ArrayBuffer;
  try {
    cek = await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, key, wrapped.slice());
  } catch {
    throw new PageError('cms.decrypt_failed', 'stmt.decryptFailed');
  }
  if (cek.byteLength !== 32) throw new PageError('cms.decrypt_failed', 'stmt.decryptFailed');
  const aes = await crypto.subtle.importKey('raw', cek, 'AES-GCM', false, ['decrypt']);
  const sealed = new Uint8Array(enc.value.length + 16);
  sealed.set(enc.value, 0);
  sealed.set(mac, enc.value.length);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce.slice(), additionalData: aad, tagLength: 128 }, aes, sealed));
  } catch {
    throw new PageError('cms.decrypt_failed', 'stmt.tampered');
  }
}
