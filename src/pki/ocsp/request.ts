import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { algId, explicit, NULL, octetString, oid, seq, tlv } from '../../asn1/der-write';
import { bitString, childrenOf, content, decode, expect, isContext, raw, TAG } from '../../asn1/der';
import { OID } from '../../asn1/oids';

/**
 * OCSP requests (RFC 6960 §4.1) for one certificate, with a nonce (RFC 8954). The CertID hashes
 * with SHA-1, the algorithm every responder must support (RFC 5019 §2.1.1); it only names the
 * certificate — the response's signature is what is trusted.
 */

export type CertIdHash = 'sha1' | 'sha256';
const HASH_OID: Record<CertIdHash, string> = { sha1: OID.sha1, sha256: OID.sha256 };
export const CERT_ID_HASH_BY_OID: Record<string, CertIdHash> = { [OID.sha1]: 'sha1', [OID.sha256]: 'sha256' };

/** The parts of a CertID, compared field by field against a SingleResponse. */
export interface CertId {
  hash: CertIdHash;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  /** Content octets of the serialNumber INTEGER. */
  serial: Buffer;
}

/** serialNumber, subject and subjectPublicKeyInfo of a certificate's tbsCertificate. */
function tbsFields(cert: X509Certificate): { serial: Buffer; subject: Buffer; publicKeyBits: Buffer } {
  const tbs = childrenOf(childrenOf(decode(cert.raw, { code: 'cert.malformed' }), TAG.SEQUENCE, 'Certificate')[0], TAG.SEQUENCE, 'tbsCertificate');
  const o = isContext(tbs[0], 0) ? 1 : 0;
  const spki = childrenOf(tbs[o + 5], TAG.SEQUENCE, 'subjectPublicKeyInfo');
  return {
    serial: Buffer.from(content(expect(tbs[o], TAG.INTEGER, 'serialNumber'))),
    subject: Buffer.from(raw(expect(tbs[o + 4], TAG.SEQUENCE, 'subject'))),
    publicKeyBits: Buffer.from(bitString(spki[1], 'subjectPublicKey').bytes),
  };
}

/** issuerNameHash and issuerKeyHash of a CertID naming a certificate of `issuer`. */
export function issuerHashes(issuer: X509Certificate, hash: CertIdHash): { issuerNameHash: Buffer; issuerKeyHash: Buffer } {
  const i = tbsFields(issuer);
  return { issuerNameHash: createHash(hash).update(i.subject).digest(), issuerKeyHash: createHash(hash).update(i.publicKeyBits).digest() };
}

/** SHA-1 of the subjectPublicKey bits: the ResponderID byKey of a responder certificate. */
export function keyHashOf(cert: X509Certificate): Buffer {
  return issuerHashes(cert, 'sha1').issuerKeyHash;
}

export function certIdFor(cert: X509Certificate, issuer: X509Certificate, hash: CertIdHash = 'sha1'): CertId {
  return { hash, ...issuerHashes(issuer, hash), serial: tbsFields(cert).serial };
}

export function encodeCertId(id: CertId): Buffer {
  return seq(algId(HASH_OID[id.hash], NULL), octetString(id.issuerNameHash), octetString(id.issuerKeyHash), tlv(TAG.INTEGER, id.serial));
}

export interface OcspRequest {
  der: Buffer;
  certId: CertId;
  /** The nonce extension's extnValue exactly as sent; a response must echo it. */
  nonceValue: Buffer;
}

export function buildOcspRequest(cert: X509Certificate, issuer: X509Certificate): OcspRequest {
  const certId = certIdFor(cert, issuer);
  const nonceValue = octetString(randomBytes(16));
  const nonceExt = seq(oid(OID.ocspNonce), octetString(nonceValue));
  const tbsRequest = seq(seq(seq(encodeCertId(certId))), explicit(2, seq(nonceExt)));
  return { der: seq(tbsRequest), certId, nonceValue };
}
