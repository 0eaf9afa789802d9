import { X509Certificate } from 'node:crypto';
import { Art50Error, isArt50Error } from '../../errors';
import { Asn1, bitString, bool, children, childrenOf, content, decode, expect, isContext, oid, raw, TAG, time } from '../../asn1/der';
import { OID } from '../../asn1/oids';
import { certInfo } from '../cert-info';
import { certificateSignedBy, DigestName, publicKeyOf, SignatureScheme, signatureAlgorithm, verifySignature } from '../suites';
import { CERT_ID_HASH_BY_OID, CertId, issuerHashes, keyHashOf, OcspRequest } from './request';

/**
 * OCSP responses (RFC 6960 §4.2), read with asn1/der and checked step by step: response status,
 * basic response, signature by an authorised responder (the issuing CA itself, or a certificate
 * the CA issued with EKU id-kp-OCSPSigning, valid now — §4.2.2.2), the nonce echoed, the
 * SingleResponse for exactly the asked CertID, and freshness (thisUpdate not in the future beyond
 * the clock skew, nextUpdate not passed, thisUpdate not older than the maximum age). Every failure
 * is cert.ocsp_unavailable: the caller fails closed (or falls back to the CRL).
 */

export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

export interface OcspStatus {
  status: OcspCertStatus;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  revokedAt?: Date;
  /** Where it came from, for messages. */
  responder: string;
}

export interface ResponseCheck {
  request: OcspRequest;
  issuer: X509Certificate;
  now: Date;
  /** Oldest acceptable thisUpdate, as an age. */
  maxAgeMs: number;
  /** Tolerated clock difference for thisUpdate in the future / nextUpdate just passed. */
  skewMs: number;
  /** Refuse a response without our nonce (default true); a wrong nonce is always refused. */
  requireNonce: boolean;
  responder: string;
}

const STATUS_NAMES = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(4)', 'sigRequired', 'unauthorized'];

function fail(detail: string): never {
  throw new Art50Error('cert.ocsp_unavailable', detail);
}

interface SingleResponse {
  certId: { hashOid: string; nameHash: Buffer; keyHash: Buffer; serial: Buffer };
  status: OcspCertStatus;
  revokedAt?: Date;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
}

interface BasicResponse {
  tbs: Buffer;
  scheme: SignatureScheme;
  signature: Buffer;
  certs: X509Certificate[];
  responderByName?: Buffer;
  responderByKey?: Buffer;
  nonceValue?: Buffer;
  responses: SingleResponse[];
}

function extensions(node: Asn1 | undefined, what: string, onExt: (id: string, value: Buffer, critical: boolean) => void): void {
  if (!node) return;
  for (const ext of childrenOf(children(node)[0], TAG.SEQUENCE, what)) {
    const parts = childrenOf(ext, TAG.SEQUENCE, 'extension');
    const critical = parts.length === 3 ? bool(parts[1], 'critical') : false;
    onExt(oid(parts[0], 'extnID'), content(expect(parts[parts.length - 1], TAG.OCTET_STRING, 'extnValue')), critical);
  }
}

function singleResponse(node: Asn1): SingleResponse {
  const f = childrenOf(node, TAG.SEQUENCE, 'SingleResponse');
  const [alg, nameHash, keyHash, serial] = childrenOf(f[0], TAG.SEQUENCE, 'CertID');
  const hashOid = oid(childrenOf(alg, TAG.SEQUENCE, 'hashAlgorithm')[0], 'hashAlgorithm');
  const st = f[1];
  if (!st || st.cls !== 0x80) fail('SingleResponse without certStatus');
  let status: OcspCertStatus;
  let revokedAt: Date | undefined;
  if (st.tagNo === 0) status = 'good';
  else if (st.tagNo === 1) {
    status = 'revoked';
    revokedAt = time(children(st)[0], 'revocationTime');
  } else if (st.tagNo === 2) status = 'unknown';
  else fail('SingleResponse: unknown certStatus');
  const thisUpdate = time(f[2], 'thisUpdate');
  let k = 3;
  let nextUpdate: Date | undefined;
  if (isContext(f[k], 0)) nextUpdate = time(children(f[k++]!)[0], 'nextUpdate');
  if (isContext(f[k], 1)) {
    extensions(f[k], 'singleExtensions', (id, _v, critical) => {
      if (critical) fail(`SingleResponse carries an unknown critical extension ${id}`);
    });
  }
  return {
    certId: {
      hashOid,
      nameHash: content(expect(nameHash, TAG.OCTET_STRING, 'issuerNameHash')),
      keyHash: content(expect(keyHash, TAG.OCTET_STRING, 'issuerKeyHash')),
      serial: content(expect(serial, TAG.INTEGER, 'serialNumber')),
    },
    status,
    ...(revokedAt ? { revokedAt } : {}),
    thisUpdate,
    nextUpdate,
  };
}

/** OCSPResponse → BasicOCSPResponse fields; refuses any responseStatus but successful. */
export function parseOcspResponse(der: Buffer): BasicResponse {
  try {
    const top = childrenOf(decode(der, { code: 'cert.ocsp_unavailable' }), TAG.SEQUENCE, 'OCSPResponse');
    const statusNode = expect(top[0], 0x0a, 'responseStatus');
    const code = content(statusNode)[0] ?? 255;
    if (code !== 0) fail(`the responder answered ${STATUS_NAMES[code] ?? `status ${code}`}`);
    if (!isContext(top[1], 0)) fail('successful response without responseBytes');
    const [type, bytes] = childrenOf(children(top[1]!)[0], TAG.SEQUENCE, 'ResponseBytes');
    if (oid(type, 'responseType') !== OID.ocspBasic) fail('response type is not id-pkix-ocsp-basic');
    const basic = childrenOf(decode(content(expect(bytes, TAG.OCTET_STRING, 'response')), { code: 'cert.ocsp_unavailable' }), TAG.SEQUENCE, 'BasicOCSPResponse');
    const [tbsNode, sigAlg, sigValue] = basic;
    const tbs = childrenOf(tbsNode, TAG.SEQUENCE, 'ResponseData');
    let i = isContext(tbs[0], 0) ? 1 : 0;
    const rid = tbs[i++]!;
    const out: BasicResponse = {
      tbs: Buffer.from(raw(tbsNode!)),
      scheme: signatureAlgorithm(sigAlg, 'cert.ocsp_unavailable'),
      signature: Buffer.from(bitString(sigValue, 'signature').bytes),
      certs: [],
      responses: [],
    };
    if (isContext(rid, 1)) out.responderByName = Buffer.from(raw(children(rid)[0]!));
    else if (isContext(rid, 2)) out.responderByKey = Buffer.from(content(expect(children(rid)[0], TAG.OCTET_STRING, 'byKey')));
    else fail('unknown ResponderID');
    time(tbs[i++], 'producedAt');
    out.responses = childrenOf(tbs[i++], TAG.SEQUENCE, 'responses').map(singleResponse);
    if (isContext(tbs[i], 1)) {
      extensions(tbs[i], 'responseExtensions', (id, value, critical) => {
        if (id === OID.ocspNonce) out.nonceValue = Buffer.from(value);
        else if (critical) fail(`response carries an unknown critical extension ${id}`);
      });
    }
    if (isContext(basic[3], 0)) {
      out.certs = childrenOf(children(basic[3]!)[0], TAG.SEQUENCE, 'certs').map((c) => {
        try {
          return new X509Certificate(raw(c));
        } catch (e) {
          return fail(`a responder certificate cannot be parsed: ${String(e)}`);
        }
      });
    }
    return out;
  } catch (e) {
    if (isArt50Error(e) && e.code !== 'cert.ocsp_unavailable') throw new Art50Error('cert.ocsp_unavailable', `malformed OCSP response: ${e.detail}`, { cause: e });
    throw e;
  }
}

function signatureVerifies(r: BasicResponse, signer: X509Certificate): boolean {
  try {
    return verifySignature(r.scheme, (r.scheme.hash ?? 'sha256') as DigestName, r.tbs, publicKeyOf(signer), r.signature);
  } catch {
    return false;
  }
}

/** Which certificate signed the response, and is it allowed to speak for `issuer`? */
function authorisedSigner(r: BasicResponse, issuer: X509Certificate, now: Date): X509Certificate {
  const named = (c: X509Certificate): boolean =>
    r.responderByName ? certInfo(c).subjectName.equals(r.responderByName) : r.responderByKey !== undefined && keyHashOf(c).equals(r.responderByKey);
  if (named(issuer) && signatureVerifies(r, issuer)) return issuer;
  const issuerInfo = certInfo(issuer);
  for (const c of r.certs) {
    if (!named(c) || !signatureVerifies(r, c)) continue;
    const info = certInfo(c);
    // §4.2.2.2: a delegated responder is issued directly by the CA and carries id-kp-OCSPSigning.
    if (!info.issuer.equals(issuerInfo.subjectName) || !certificateSignedBy(c, issuer)) fail('the response is signed by a responder the certificate\'s issuer did not appoint');
    if (!info.extKeyUsage?.includes(OID.ocspSigning)) fail('the responder certificate lacks EKU id-kp-OCSPSigning');
    if (now < info.notBefore || now > info.notAfter) fail('the responder certificate is not valid now');
    return c;
  }
  return fail('the response is not signed by the certificate\'s issuer or a responder it appointed');
}

function sameCertId(a: SingleResponse['certId'], want: CertId, issuer: X509Certificate): boolean {
  const hash = CERT_ID_HASH_BY_OID[a.hashOid];
  if (!hash || !a.serial.equals(want.serial)) return false;
  // A responder may answer with another hash than asked: compare with ours recomputed in it.
  const ours = hash === want.hash ? want : issuerHashes(issuer, hash);
  return a.nameHash.equals(ours.issuerNameHash) && a.keyHash.equals(ours.issuerKeyHash);
}

/** Every check of a response to `check.request`; returns the certificate's status. */
export function checkOcspResponse(der: Buffer, check: ResponseCheck): OcspStatus {
  const r = parseOcspResponse(der);
  authorisedSigner(r, check.issuer, check.now);
  if (r.nonceValue) {
    if (!r.nonceValue.equals(check.request.nonceValue)) fail('the response does not echo the request\'s nonce (a replayed response?)');
  } else if (check.requireNonce) {
    fail('the response carries no nonce');
  }
  const single = r.responses.find((s) => sameCertId(s.certId, check.request.certId, check.issuer));
  if (!single) fail('the response does not cover the asked certificate');
  const now = check.now.getTime();
  if (single.thisUpdate.getTime() > now + check.skewMs) fail(`the response's thisUpdate ${single.thisUpdate.toISOString()} is in the future`);
  if (now - single.thisUpdate.getTime() > check.maxAgeMs) fail(`the response is stale (thisUpdate ${single.thisUpdate.toISOString()})`);
  if (single.nextUpdate && single.nextUpdate.getTime() + check.skewMs < now) fail(`the response is stale (nextUpdate ${single.nextUpdate.toISOString()} has passed)`);
  return {
    status: single.status,
    thisUpdate: single.thisUpdate,
    nextUpdate: single.nextUpdate,
    ...(single.revokedAt ? { revokedAt: single.revokedAt } : {}),
    responder: check.responder,
  };
}
