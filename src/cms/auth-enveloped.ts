import { constants, createCipheriv, createDecipheriv, KeyObject, privateDecrypt, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import { Art50Error } from '../errors';
import { Asn1, children, childrenOf, content, decode, expect, intHex, isContext, octets, oid, raw, smallInt, TAG } from '../asn1/der';
import { algId, explicit, int, NULL, octetString, oid as oidDer, seq, setOf, tlv } from '../asn1/der-write';
import { OID } from '../asn1/oids';
import { certInfo, KeyUsageBit } from '../pki/cert-info';

/**
 * CMS AuthEnvelopedData (RFC 5083) with AES-256-GCM (RFC 5084) and RSAES-OAEP key transport
 * (RFC 8017, parameters as RFC 4055 and RFC 5756 write them: SHA-256, MGF1-SHA-256): what a bank
 * wraps its signed statement in so that only the requesting body can read it. `openssl cms
 * -decrypt` opens what `encryptAuthEnveloped` writes, and `decryptAuthEnveloped` opens what
 * `openssl cms -encrypt -aes-256-gcm -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256` writes.
 *
 * The algorithms are an allowlist checked before any crypto runs: AES-256-GCM with a 12-byte nonce
 * and 16-byte tag, RSA-OAEP with SHA-256. The content type inside is id-data: the bytes are the
 * signed statement's DER, which `openssl cms -verify` then checks.
 */

export const ENV_OID = {
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  aes256Gcm: '2.16.840.1.101.3.4.1.46',
  rsaesOaep: '1.2.840.113549.1.1.7',
} as const;

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** RSAES-OAEP-params { hashFunc [0] sha256, maskGenFunc [1] mgf1(sha256) }; pSourceFunc default (empty label). */
const OAEP_SHA256 = algId(ENV_OID.rsaesOaep, seq(explicit(0, algId(OID.sha256, NULL)), explicit(1, algId(OID.mgf1, algId(OID.sha256, NULL)))));

/** A recipient as CMS names it: issuer + serial (KeyTransRecipientInfo version 0) or subjectKeyIdentifier (version 2). */
export type RecipientId = { issuer: Buffer; serial: string } | { ski: Buffer };

export interface ParsedAuthEnveloped {
  recipients: { rid: RecipientId; encryptedKey: Buffer }[];
  nonce: Buffer;
  ciphertext: Buffer;
  /** DER of the authenticated attributes as the AAD (SET OF tag), empty when absent. */
  aad: Buffer;
  mac: Buffer;
}

/** The certificate may receive content-encryption keys: an RSA key with keyEncipherment (when keyUsage is present). */
export function checkEncryptionCertificate(cert: X509Certificate): void {
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Art50Error('cert.key_usage', `an encryption certificate must carry an RSA key (RSA-OAEP); this one has ${String(key.asymmetricKeyType)}`);
  }
  const ku = certInfo(cert).keyUsage;
  if (ku && !ku.has(KeyUsageBit.keyEncipherment)) throw new Art50Error('cert.key_usage', 'the encryption certificate lacks keyUsage keyEncipherment');
}

function issuerAndSerial(cert: X509Certificate): Buffer {
  const info = certInfo(cert);
  const serial = Buffer.from(info.serial.length % 2 ? `0${info.serial}` : info.serial, 'hex');
  return seq(info.issuer, tlv(0x02, serial[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial));
}

/** Encrypts `content` (id-data) to every recipient certificate; returns the ContentInfo DER. */
export function encryptAuthEnveloped(contentBytes: Buffer, recipients: readonly X509Certificate[]): Buffer {
  if (recipients.length === 0) throw new Art50Error('config.invalid', 'AuthEnvelopedData needs at least one recipient');
  const cek = randomBytes(32);
  const nonce = randomBytes(NONCE_BYTES);
  const infos = recipients.map((cert) => {
    checkEncryptionCertificate(cert);
    const encryptedKey = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek);
    return seq(int(0), issuerAndSerial(cert), OAEP_SHA256, octetString(encryptedKey));
  });
  const cipher = createCipheriv('aes-256-gcm', cek, nonce, { authTagLength: TAG_BYTES });
  const ciphertext = Buffer.concat([cipher.update(contentBytes), cipher.final()]);
  const mac = cipher.getAuthTag();
  const eci = seq(
    oidDer(OID.data),
    algId(ENV_OID.aes256Gcm, seq(octetString(nonce), int(TAG_BYTES))),
    tlv(0x80, ciphertext),
  );
  const aed = seq(int(0), setOf(...infos), eci, octetString(mac));
  return seq(oidDer(ENV_OID.authEnvelopedData), explicit(0, aed));
}

/** Is this DER a ContentInfo of type AuthEnvelopedData? (Cheap: reads the first OID only.) */
export function isAuthEnveloped(der: Buffer): boolean {
  try {
    return oid(children(decode(der))[0]) === ENV_OID.authEnvelopedData;
  } catch {
    return false;
  }
}

function fail(detail: string): never {
  throw new Art50Error('cms.malformed', `AuthEnvelopedData: ${detail}`);
}

function recipientId(node: Asn1 | undefined, version: number): RecipientId {
  if (version === 0 && node?.tag === TAG.SEQUENCE) {
    const ias = children(node);
    return { issuer: raw(expect(ias[0], TAG.SEQUENCE, 'issuer')), serial: intHex(ias[1], 'serialNumber') };
  }
  if (version === 2 && isContext(node, 0) && !node!.constructed) return { ski: content(node!) };
  return fail(`KeyTransRecipientInfo version ${version} with an unexpected recipient identifier`);
}

/** RSAES-OAEP with SHA-256 and MGF1-SHA-256, nothing else (the allowlist). */
function checkOaep(alg: Asn1 | undefined): void {
  const parts = childrenOf(alg, TAG.SEQUENCE, 'keyEncryptionAlgorithm');
  const name = oid(parts[0], 'keyEncryptionAlgorithm');
  if (name !== ENV_OID.rsaesOaep) throw new Art50Error('cms.unsupported_algorithm', `key transport ${name} is not accepted; use RSAES-OAEP with SHA-256`);
  const params = parts[1] ? children(expect(parts[1], TAG.SEQUENCE, 'RSAES-OAEP-params')) : [];
  let hash: string = OID.sha1;
  let mgfHash: string = OID.sha1;
  for (const p of params) {
    if (isContext(p, 0)) hash = oid(childrenOf(children(p)[0], TAG.SEQUENCE, 'hashFunc')[0]);
    else if (isContext(p, 1)) {
      const mgf = childrenOf(children(p)[0], TAG.SEQUENCE, 'maskGenFunc');
      if (oid(mgf[0]) !== OID.mgf1) throw new Art50Error('cms.unsupported_algorithm', 'RSA-OAEP mask generation other than MGF1');
      mgfHash = oid(childrenOf(mgf[1], TAG.SEQUENCE, 'MGF1 hash')[0]);
    } else throw new Art50Error('cms.unsupported_algorithm', 'RSA-OAEP with a label (pSourceFunc) is not accepted');
  }
  if (hash !== OID.sha256 || mgfHash !== OID.sha256) throw new Art50Error('cms.unsupported_algorithm', 'RSA-OAEP must use SHA-256 and MGF1-SHA-256');
}

/** The structure, with every algorithm checked against the allowlist; no key needed. */
export function parseAuthEnveloped(der: Buffer): ParsedAuthEnveloped {
  const ci = childrenOf(decode(der), TAG.SEQUENCE, 'ContentInfo');
  const type = oid(ci[0], 'contentType');
  if (type !== ENV_OID.authEnvelopedData) throw new Art50Error('cms.unsupported', `content type ${type} is not AuthEnvelopedData`);
  if (!isContext(ci[1], 0)) fail('ContentInfo without content');
  const f = childrenOf(children(ci[1]!)[0], TAG.SEQUENCE, 'AuthEnvelopedData');
  let i = 0;
  if (smallInt(f[i++], 'version') !== 0) fail('version must be 0');
  if (isContext(f[i], 0)) i++; // originatorInfo: certificates for the recipient, not needed here
  const recipients = childrenOf(f[i++], TAG.SET, 'recipientInfos').map((ri) => {
    if (ri.tag !== TAG.SEQUENCE) throw new Art50Error('cms.unsupported_algorithm', 'only KeyTransRecipientInfo (RSA-OAEP) recipients are accepted');
    const k = children(ri);
    const version = smallInt(k[0], 'KeyTransRecipientInfo version');
    const rid = recipientId(k[1], version);
    checkOaep(k[2]);
    return { rid, encryptedKey: octets(expect(k[3], TAG.OCTET_STRING, 'encryptedKey')) };
  });
  if (recipients.length === 0) fail('no recipients');
  const eci = childrenOf(f[i++], TAG.SEQUENCE, 'authEncryptedContentInfo');
  if (oid(eci[0], 'contentType') !== OID.data) fail('the encrypted content type must be id-data');
  const alg = childrenOf(eci[1], TAG.SEQUENCE, 'contentEncryptionAlgorithm');
  const algName = oid(alg[0]);
  if (algName !== ENV_OID.aes256Gcm) throw new Art50Error('cms.unsupported_algorithm', `content encryption ${algName} is not accepted; use AES-256-GCM`);
  const gcm = childrenOf(alg[1], TAG.SEQUENCE, 'GCMParameters');
  const nonce = octets(expect(gcm[0], TAG.OCTET_STRING, 'aes-nonce'));
  const icvLen = gcm[1] ? smallInt(gcm[1], 'aes-ICVlen') : 12;
  if (nonce.length !== NONCE_BYTES || icvLen !== TAG_BYTES) throw new Art50Error('cms.unsupported_algorithm', 'AES-GCM must use a 12-byte nonce and a 16-byte tag');
  const enc = eci[2];
  if (!isContext(enc, 0)) fail('no encrypted content (detached content is not accepted)');
  // [0] IMPLICIT OCTET STRING: primitive in DER, constructed segments in BER.
  const ciphertext = enc!.constructed ? Buffer.concat(children(enc!).map((c) => octets(c))) : content(enc!);
  let aad = Buffer.alloc(0);
  if (isContext(f[i], 1)) {
    const attrs = raw(f[i++]!);
    // RFC 5083 §2.2: the AAD is the DER of authAttrs with the EXPLICIT SET OF tag.
    aad = Buffer.concat([Buffer.from([0x31]), attrs.subarray(1)]);
  }
  const mac = octets(expect(f[i++], TAG.OCTET_STRING, 'mac'));
  if (mac.length !== TAG_BYTES) fail('the mac is not 16 bytes');
  return { recipients, nonce, ciphertext, aad, mac };
}

/** Does `rid` name this certificate? */
export function namesCertificate(rid: RecipientId, cert: X509Certificate): boolean {
  const info = certInfo(cert);
  if ('ski' in rid) return info.subjectKeyId !== undefined && rid.ski.equals(info.subjectKeyId);
  return rid.serial === info.serial && rid.issuer.equals(info.issuer);
}

/**
 * Opens it with the recipient's private key and certificate: the content (the signed statement's
 * DER). A wrong key, a changed byte or a cut tag is one refusal, 'cms.decrypt_failed'.
 */
export function decryptAuthEnveloped(der: Buffer, key: KeyObject, cert: X509Certificate): Buffer {
  const p = parseAuthEnveloped(der);
  const mine = p.recipients.find((r) => namesCertificate(r.rid, cert));
  if (!mine) throw new Art50Error('statement.wrong_recipient', 'the statement is not encrypted to this certificate');
  let cek: Buffer;
  try {
    cek = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, mine.encryptedKey);
  } catch {
    throw new Art50Error('cms.decrypt_failed', 'the content-encryption key does not open with this private key');
  }
  if (cek.length !== 32) throw new Art50Error('cms.decrypt_failed', 'the content-encryption key is not an AES-256 key');
  try {
    const d = createDecipheriv('aes-256-gcm', cek, p.nonce, { authTagLength: TAG_BYTES });
    d.setAAD(p.aad);
    d.setAuthTag(p.mac);
    return Buffer.concat([d.update(p.ciphertext), d.final()]);
  } catch {
    throw new Art50Error('cms.decrypt_failed', 'the ciphertext does not authenticate (AES-GCM tag mismatch): it was changed or cut');
  }
}
