import { createHash, X509Certificate } from 'node:crypto';
import { Art50Error, ErrorCode } from '../errors';
import { Asn1, children, childrenOf, content, decode, expect, intHex, isContext, octets, oid, raw, smallInt, TAG, time } from '../asn1/der';
import { OID } from '../asn1/oids';
import { certInfo } from '../pki/cert-info';
import type { CertificateCache } from '../pki/cert-cache';
import { digest as computeDigest, digestAlgorithm, DigestName, publicKeyOf, SignatureScheme, signatureAlgorithm, verifySignature } from '../pki/suites';
import type { VerifiedCms } from './types';

/**
 * Verifies a CMS SignedData document (docs/signatures.md) up to and including the signature — not the
 * certificate path, which is pki/chain's job. The steps, in order, each with its own code:
 *
 *   decodeInput → parseSignedData → exactly one signer → attached content → algorithms allowed
 *   → signed attributes present → contentType matches → signingTime present, not in the future → messageDigest
 *   matches → signer certificate found → signature valid
 *
 * Every algorithm decision is taken before any crypto runs.
 */

const PEM_LABELS = ['CMS', 'PKCS7'] as const;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;

/**
 * DER as is; PEM ("CMS" or "PKCS7" label) decoded. Empty input is malformed. Linear in the input:
 * the first BEGIN line, then its END line, are found with Buffer.indexOf (a backtracking regex over
 * a body of repeated BEGIN lines took seconds per megabyte).
 */
export function decodeInput(input: Buffer): Buffer {
  if (input.length === 0) throw new Art50Error('cms.malformed', 'empty document');
  if (input[0] === 0x30) return input;
  const head = input.subarray(0, 64).toString('latin1');
  if (!head.includes('-----BEGIN')) throw new Art50Error('cms.malformed', 'not DER and not PEM');
  let label: (typeof PEM_LABELS)[number] | undefined;
  let begin = -1;
  for (const l of PEM_LABELS) {
    const at = input.indexOf(`-----BEGIN ${l}-----`, 0, 'latin1');
    if (at >= 0 && (begin < 0 || at < begin)) [label, begin] = [l, at];
  }
  if (!label) throw new Art50Error('cms.malformed', 'PEM without a CMS or PKCS7 block');
  const from = begin + `-----BEGIN ${label}-----`.length;
  const end = input.indexOf(`-----END ${label}-----`, from, 'latin1');
  if (end < 0) throw new Art50Error('cms.malformed', `PEM block ${label} without its END line`);
  const body = input.subarray(from, end).toString('latin1');
  if (!BASE64_BODY.test(body)) throw new Art50Error('cms.malformed', 'the PEM block is not base64');
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (der.length === 0) throw new Art50Error('cms.malformed', 'empty PEM block');
  return der;
}

interface SignerInfoParts {
  sid: { issuer: Buffer; serial: string } | { ski: Buffer };
  digestAlg: Asn1;
  signedAttrs: Asn1 | undefined;
  signatureAlg: Asn1;
  signature: Buffer;
}

export interface ParsedSignedData {
  eContentType: string;
  content: Buffer | undefined;
  certificates: Buffer[];
  signerInfos: Asn1[];
}

/** ContentInfo → SignedData structure (views into `der`). */
export function parseSignedData(der: Buffer): ParsedSignedData {
  const ci = childrenOf(decode(der), TAG.SEQUENCE, 'ContentInfo');
  const type = oid(ci[0], 'contentType');
  if (type !== OID.signedData) throw new Art50Error('cms.unsupported', `content type ${type} is not SignedData`);
  if (!isContext(ci[1], 0)) throw new Art50Error('cms.malformed', 'ContentInfo without content');
  const sd = childrenOf(children(ci[1]!)[0], TAG.SEQUENCE, 'SignedData');
  let i = 0;
  const version = smallInt(sd[i++], 'SignedData version');
  if (version > 5) throw new Art50Error('cms.unsupported', `SignedData version ${version}`);
  expect(sd[i++], TAG.SET, 'digestAlgorithms');
  const encap = childrenOf(sd[i++], TAG.SEQUENCE, 'encapContentInfo');
  const eContentType = oid(encap[0], 'eContentType');
  let econtent: Buffer | undefined;
  if (encap[1]) {
    if (!isContext(encap[1], 0)) throw new Art50Error('cms.malformed', 'eContent is not [0]');
    const inner = children(encap[1]);
    if (inner.length !== 1) throw new Art50Error('cms.malformed', 'eContent must hold one OCTET STRING');
    econtent = octets(inner[0]!, 'eContent');
  }
  const certificates: Buffer[] = [];
  if (isContext(sd[i], 0)) {
    for (const c of children(sd[i++]!)) {
      if (c.tag === TAG.SEQUENCE) certificates.push(raw(c)); // other CertificateChoices are skipped
    }
  }
  if (isContext(sd[i], 1)) i++; // crls: revocation comes from the configured CRLs, never from the document
  const signerInfos = childrenOf(sd[i++], TAG.SET, 'signerInfos');
  if (i !== sd.length) throw new Art50Error('cms.malformed', 'unexpected fields after signerInfos');
  return { eContentType, content: econtent, certificates, signerInfos };
}

export function parseSignerInfo(node: Asn1): SignerInfoParts {
  const f = childrenOf(node, TAG.SEQUENCE, 'SignerInfo');
  let i = 0;
  const version = smallInt(f[i++], 'SignerInfo version');
  const sidNode = f[i++];
  let sid: SignerInfoParts['sid'];
  if (version === 1 && sidNode?.tag === TAG.SEQUENCE) {
    const ias = children(sidNode);
    sid = { issuer: raw(expect(ias[0], TAG.SEQUENCE, 'issuer')), serial: intHex(ias[1], 'serialNumber') };
  } else if (version === 3 && isContext(sidNode, 0) && !sidNode!.constructed) {
    sid = { ski: content(sidNode!) };
  } else {
    throw new Art50Error('cms.malformed', `SignerInfo version ${version} with an unexpected signer identifier`);
  }
  const digestAlg = expect(f[i++], TAG.SEQUENCE, 'digestAlgorithm');
  let signedAttrs: Asn1 | undefined;
  if (isContext(f[i], 0)) signedAttrs = f[i++];
  const signatureAlg = expect(f[i++], TAG.SEQUENCE, 'signatureAlgorithm');
  const signature = octets(expect(f[i++], TAG.OCTET_STRING, 'signature'));
  if (f[i] && !isContext(f[i], 1)) throw new Art50Error('cms.malformed', 'unexpected field in SignerInfo');
  return { sid, digestAlg, signedAttrs, signatureAlg, signature };
}

interface SignedAttributes {
  contentType: string;
  messageDigest: Buffer;
  signingTime: Date | undefined;
  /** The DER SET OF the signature covers ([0] IMPLICIT re-tagged as SET). */
  signedBytes: Buffer;
}

export function readSignedAttributes(node: Asn1 | undefined): SignedAttributes {
  if (!node) throw new Art50Error('cms.no_signed_attributes', 'the signer has no signed attributes');
  if (node.indefinite) throw new Art50Error('cms.malformed', 'signed attributes must be DER');
  const values = new Map<string, Asn1[]>();
  for (const attr of children(node)) {
    const [type, set, extra] = childrenOf(attr, TAG.SEQUENCE, 'Attribute');
    const t = oid(type, 'attrType');
    if (extra) throw new Art50Error('cms.malformed', 'Attribute with extra fields');
    if (values.has(t)) throw new Art50Error('cms.malformed', `attribute ${t} appears twice`);
    values.set(t, childrenOf(set, TAG.SET, 'attrValues'));
  }
  const single = (t: string, missing: ErrorCode, name: string): Asn1 | undefined => {
    const v = values.get(t);
    if (!v) {
      if (missing === 'cms.signing_time_missing') return undefined;
      throw new Art50Error(missing, `signed attribute ${name} is missing`);
    }
    if (v.length !== 1) throw new Art50Error('cms.malformed', `signed attribute ${name} must have one value`);
    return v[0];
  };
  const contentType = oid(single(OID.contentType, 'cms.no_signed_attributes', 'contentType'), 'contentType');
  const md = single(OID.messageDigest, 'cms.no_signed_attributes', 'messageDigest');
  const st = single(OID.signingTime, 'cms.signing_time_missing', 'signingTime');
  const signedBytes = Buffer.from(raw(node));
  signedBytes[0] = 0x31;
  return {
    contentType,
    messageDigest: content(expect(md, TAG.OCTET_STRING, 'messageDigest')),
    signingTime: st ? time(st, 'signingTime') : undefined,
    signedBytes,
  };
}

export interface VerifyCmsOptions {
  /** A parse memo owned by the caller (DocumentVerifier has one); without it, certificates are parsed afresh. */
  certificates?: CertificateCache;
  /** The time to check signingTime against (default: the system clock). */
  now?: Date;
  /** How far signingTime may lie past `now` (default DEFAULT_CLOCK_SKEW_SECONDS, as ART50_CLOCK_SKEW_SECONDS). */
  clockSkewSeconds?: number;
}

export const DEFAULT_CLOCK_SKEW_SECONDS = 300;

/**
 * A signing time later than now (plus the skew) is refused even when the certificate would be valid
 * then: the path is checked at the signing time, so a future date would let a document outlive
 * its signer's certificate and every CRL issued before that date.
 */
export function checkSigningTime(signingTime: Date, now: Date, skewSeconds: number): void {
  if (signingTime.getTime() > now.getTime() + skewSeconds * 1000) {
    throw new Art50Error('cms.signing_time_future', `signingTime ${signingTime.toISOString()} is later than now plus the allowed clock skew of ${skewSeconds} s`);
  }
}

function parseCertificates(ders: readonly Buffer[]): X509Certificate[] {
  return ders.map((d) => {
    try {
      return new X509Certificate(d);
    } catch (e) {
      throw new Art50Error('cms.malformed', 'an included certificate cannot be parsed', { cause: e });
    }
  });
}

/** More certificates than any real chain needs is a cost attack (each parse ≈ 0.2 ms). */
export const MAX_CERTIFICATES = 10;

export function findSigner(sid: SignerInfoParts['sid'], certs: X509Certificate[]): X509Certificate {
  const hit = certs.find((c) => {
    const info = certInfo(c);
    if ('ski' in sid) return info.subjectKeyId !== undefined && info.subjectKeyId.equals(sid.ski);
    return info.serial === sid.serial && info.issuer.equals(sid.issuer);
  });
  if (!hit) throw new Art50Error('cms.signer_cert_missing', 'the signer certificate is not included in the document');
  return hit;
}

/** The scheme's own hash (sha256WithRSA, ecdsa-with-SHA256, PSS params) must equal the digest algorithm. */
function signatureHash(scheme: SignatureScheme, digest: DigestName): DigestName {
  if (scheme.hash !== undefined && scheme.hash !== digest) {
    throw new Art50Error('cms.unsupported_algorithm', `signature hash ${scheme.hash} differs from digest algorithm ${digest}`);
  }
  return digest;
}

export function verifyCms(input: Buffer, opts: VerifyCmsOptions = {}): VerifiedCms {
  const der = decodeInput(input);
  const sd = parseSignedData(der);
  if (sd.certificates.length > MAX_CERTIFICATES) throw new Art50Error('cms.malformed', `the document carries ${sd.certificates.length} certificates; at most ${MAX_CERTIFICATES} are accepted`);
  if (sd.signerInfos.length !== 1) throw new Art50Error('cms.signer_count', `the document has ${sd.signerInfos.length} signers; exactly one is required`);
  if (sd.content === undefined) throw new Art50Error('cms.detached', 'the content is not attached');
  const si = parseSignerInfo(sd.signerInfos[0]!);
  const digestAlg = digestAlgorithm(si.digestAlg);
  const scheme = signatureAlgorithm(si.signatureAlg);
  const hash = signatureHash(scheme, digestAlg);
  const attrs = readSignedAttributes(si.signedAttrs);
  if (attrs.contentType !== sd.eContentType) {
    throw new Art50Error('cms.content_type_mismatch', `contentType attribute ${attrs.contentType} differs from eContentType ${sd.eContentType}`);
  }
  if (sd.eContentType !== OID.data) throw new Art50Error('cms.unsupported', `eContentType ${sd.eContentType} is not id-data: art50 documents are plain JSON`);
  if (!attrs.signingTime) throw new Art50Error('cms.signing_time_missing', 'signed attribute signingTime is missing');
  checkSigningTime(attrs.signingTime, opts.now ?? new Date(), opts.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS);
  const sha256 = createHash('sha256').update(sd.content).digest();
  const digest = digestAlg === 'sha256' ? sha256 : computeDigest(digestAlg, sd.content);
  if (!digest.equals(attrs.messageDigest)) throw new Art50Error('cms.digest_mismatch', 'the content does not match the signed messageDigest');
  const certs = opts.certificates ? sd.certificates.map((d) => opts.certificates!.get(d)) : parseCertificates(sd.certificates);
  const signer = findSigner(si.sid, certs);
  const key = publicKeyOf(signer);
  if (!scheme.suite.fits(key)) {
    throw new Art50Error('cms.signature_invalid', `signature algorithm ${scheme.suite.name} does not fit the signer's ${key.kind === 'gost' ? 'GOST' : String(key.key.asymmetricKeyType)} key`);
  }
  if (!verifySignature(scheme, hash, attrs.signedBytes, key, si.signature)) {
    throw new Art50Error('cms.signature_invalid', 'the signature does not verify with the signer certificate');
  }
  return {
    content: sd.content,
    digest: sha256.toString('hex'),
    signer,
    certificates: certs.filter((c) => c !== signer),
    signingTime: attrs.signingTime,
  };
}
