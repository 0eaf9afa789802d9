import { constants, createHash, KeyObject, sign as cryptoSign, X509Certificate } from 'node:crypto';
import { GOST_OID, GostPrivateKey, gostSign, streebog } from '../pki/gost';
import { Art50Error } from '../errors';
import { algId, cmsTime, explicit, int, octetString, oid, seq, setOf, tlv } from '../asn1/der-write';
import { OID } from '../asn1/oids';
import { certInfo } from '../pki/cert-info';
import type { SigningIdentity } from './types';

/**
 * CMS SignedData (RFC 5652) with the content attached, the document format of docs/signatures.md: SHA-256 (Streebog for GOST keys),
 * signed attributes contentType + messageDigest + signingTime, signer certificate (+ chain)
 * included, SignerIdentifier issuerAndSerialNumber, version 1. Only the structure is built in JS;
 * the private-key operation is one node:crypto (OpenSSL) call.
 */

export interface SignOptions {
  /** Defaults to now. */
  signingTime?: Date;
}

const SHA256 = algId(OID.sha256);
// RSASSA-PSS-params: SHA-256, MGF1-SHA-256, salt 32 (RFC 4055 §3.1; trailerField default).
const PSS_SHA256 = algId(
  OID.rsassaPss,
  seq(explicit(0, SHA256), explicit(1, algId(OID.mgf1, SHA256)), explicit(2, int(32))),
);

interface SigningAlgorithm {
  /** SignerInfo.signatureAlgorithm */
  alg: Buffer;
  /** SignerInfo.digestAlgorithm (also listed in SignedData.digestAlgorithms) and its hash. */
  digestAlg: Buffer;
  hash: (content: Buffer) => Buffer;
  sign: (data: Buffer) => Buffer;
}

const sha256 = (d: Buffer): Buffer => createHash('sha256').update(d).digest();

function signatureAlgorithmFor(id: SigningIdentity): SigningAlgorithm {
  const { key } = id;
  if (!(key instanceof KeyObject)) return gostAlgorithm(key);
  if (key.type !== 'private') throw new Art50Error('config.invalid', 'signing key is not a private key');
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1' && curve !== 'secp384r1') throw new Art50Error('config.invalid', `EC curve ${String(curve)} is not accepted`);
    return { alg: algId(OID.ecdsaWithSHA256), digestAlg: SHA256, hash: sha256, sign: (d) => cryptoSign('sha256', d, { key, dsaEncoding: 'der' }) };
  }
  if (type === 'rsa') {
    if (id.rsaPadding === 'pss') {
      return { alg: PSS_SHA256, digestAlg: SHA256, hash: sha256, sign: (d) => cryptoSign('sha256', d, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }) };
    }
    return { alg: algId(OID.sha256WithRSAEncryption), digestAlg: SHA256, hash: sha256, sign: (d) => cryptoSign('sha256', d, { key, padding: constants.RSA_PKCS1_PADDING }) };
  }
  throw new Art50Error('config.invalid', `key type ${String(type)} cannot sign documents`);
}

/**
 * GOST R 34.10-2012 (pure TypeScript, pki/gost) with the Streebog digest of the key's size; the
 * signatureAlgorithm is the key algorithm OID, as OpenSSL's gost engine writes it in CMS.
 */
function gostAlgorithm(key: GostPrivateKey): SigningAlgorithm {
  const bits = key.bits;
  return {
    alg: algId(bits === 256 ? GOST_OID.key256 : GOST_OID.key512),
    digestAlg: algId(bits === 256 ? GOST_OID.digest256 : GOST_OID.digest512),
    hash: (d) => streebog(bits, d),
    sign: (d) => gostSign(key, streebog(bits, d)),
  };
}

function attribute(type: string, value: Buffer): Buffer {
  return seq(oid(type), setOf(value));
}

/** The exact DER of issuer Name + serial INTEGER, from the certificate (not re-encoded). */
function issuerAndSerial(cert: X509Certificate): Buffer {
  const info = certInfo(cert);
  const serial = Buffer.from(info.serial.length % 2 ? `0${info.serial}` : info.serial, 'hex');
  const serialDer = tlv(0x02, serial[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial);
  return seq(info.issuer, serialDer);
}

/**
 * A signer for one identity whose constant parts — algorithm, issuerAndSerialNumber, the
 * certificates — are encoded once; each call hashes, signs and assembles. The gateway seal signs
 * every receipt with one of these.
 */
export function cmsSigner(id: SigningIdentity): (content: Buffer, opts?: SignOptions) => Buffer {
  const { alg, digestAlg, hash, sign } = signatureAlgorithmFor(id);
  const version = int(1);
  const sid = issuerAndSerial(id.cert);
  const digestAlgorithms = setOf(digestAlg);
  const certificates = tlv(0xa0, ...[id.cert, ...(id.chain ?? [])].map((c) => c.raw).sort(Buffer.compare));
  const contentType = attribute(OID.contentType, oid(OID.data));
  return (content, opts = {}) => {
    const digest = hash(content);
    const attrs = [
      contentType,
      attribute(OID.signingTime, cmsTime(opts.signingTime ?? new Date())),
      attribute(OID.messageDigest, octetString(digest)),
    ];
    // The signature covers the attributes as a DER SET OF (tag 0x31); in SignerInfo they sit under [0] IMPLICIT.
    const signedAttrsSet = setOf(...attrs);
    const signature = sign(signedAttrsSet);
    const signedAttrsImplicit = Buffer.concat([Buffer.from([0xa0]), signedAttrsSet.subarray(1)]);
    const signerInfo = seq(version, sid, digestAlg, signedAttrsImplicit, alg, octetString(signature));
    const signedData = seq(
      version,
      digestAlgorithms,
      seq(oid(OID.data), explicit(0, octetString(content))),
      certificates,
      setOf(signerInfo),
    );
    return seq(oid(OID.signedData), explicit(0, signedData));
  };
}

export function signCms(content: Buffer, id: SigningIdentity, opts: SignOptions = {}): Buffer {
  return cmsSigner(id)(content, opts);
}
