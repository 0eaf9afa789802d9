import { child, Node, oid, read } from './der';

/**
 * A CMS SignedData (RFC 5652) verified in the page with WebCrypto — for bank statements
 * (cms-verify.ts) and the log's signed checkpoints (oversight/checkpoint.ts), as the gateway's
 * first steps do (src/cms/verify.ts): content attached, one signer, signed attributes present,
 * messageDigest = SHA-256 of the content, and the signature over the signed attributes valid for the
 * public key (SubjectPublicKeyInfo) of the included signer certificate: RSA PKCS#1 v1.5 or ECDSA
 * P-256/P-384, SHA-256. The certificate path and revocation are not checked: the page holds no
 * trust root and no CRLs (the CLI checks them). Each caller maps the failure to its own errors.
 */

export type SignedDataFailure = 'malformed' | 'signer_count' | 'signer_cert_missing' | 'no_signed_attributes' | 'algorithm' | 'digest' | 'signature';

export class SignedDataError extends Error {
  constructor(readonly reason: SignedDataFailure) {
    super(`CMS SignedData: ${reason}`);
  }
}

export interface VerifiedSignedData {
  /** The signed content bytes. */
  content: Uint8Array;
  /** The signer's certificate. */
  certificate: Node;
  /** Its SubjectPublicKeyInfo, whose key verified the signature. */
  spki: Node;
}

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  messageDigest: '1.2.840.113549.1.9.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsa: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
};

const fail = (reason: SignedDataFailure): never => {
  throw new SignedDataError(reason);
};

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * A field of a certificate's TBSCertificate, counted from the serial number (0) past the optional
 * [0] version: 1 signature, 2 issuer, 3 validity, 4 subject, 5 subjectPublicKeyInfo.
 */
export function tbsField(cert: Node, i: number): Node {
  const tbs = child(cert, 0);
  return child(tbs, i + (child(tbs, 0).tag === 0xa0 ? 1 : 0));
}

interface Parsed {
  content: Uint8Array;
  certificate: Node;
  spki: Node;
  /** The signed attributes as signed: DER of a SET OF (RFC 5652 §5.4). */
  signedAttrs: Uint8Array;
  messageDigest: Uint8Array | undefined;
  sigAlg: string;
  signature: Uint8Array;
}

/** The structure, read from attacker-supplied bytes: anything unexpected is `malformed`, never a raw parse error. */
function parse(der: Uint8Array): Parsed {
  try {
    const ci = read(der);
    if (oid(child(ci, 0)) !== OID.signedData) fail('malformed');
    const sd = child(child(ci, 1), 0);
    const content = child(child(child(sd, 2), 1), 0).value;
    const certs = sd.children!.find((n) => n.tag === 0xa0)?.children ?? [];
    const infos = sd.children!.at(-1)?.children ?? [];
    if (infos.length !== 1) fail('signer_count');
    const si = infos[0]!;
    const sid = child(si, 1);
    const certificate = certs.find((c) => sid.tag === 0x30 && sameBytes(tbsField(c, 2).der, child(sid, 0).der) && sameBytes(tbsField(c, 0).der, child(sid, 1).der));
    if (!certificate) return fail('signer_cert_missing');
    if (oid(child(child(si, 2), 0)) !== OID.sha256) fail('algorithm');
    const attrs = child(si, 3);
    if (attrs.tag !== 0xa0) fail('no_signed_attributes');
    const md = attrs.children!.find((a) => oid(child(a, 0)) === OID.messageDigest);
    const signedAttrs = attrs.der.slice();
    signedAttrs[0] = 0x31; // signed over as a SET OF (RFC 5652 §5.4), stored as [0] IMPLICIT
    return { content, certificate, spki: tbsField(certificate, 5), signedAttrs, messageDigest: md ? child(child(md, 1), 0).value : undefined, sigAlg: oid(child(child(si, 4), 0)), signature: child(si, 5).value };
  } catch (e) {
    throw e instanceof SignedDataError ? e : new SignedDataError('malformed');
  }
}

/** ECDSA-Sig-Value (DER SEQUENCE of r, s) → r||s, the form WebCrypto verifies. */
function ecdsaRaw(der: Uint8Array, size: number): Uint8Array {
  try {
    const sig = read(der);
    const out = new Uint8Array(size * 2);
    [child(sig, 0), child(sig, 1)].forEach((n, k) => {
      let v = n.value;
      while (v.length > size && v[0] === 0) v = v.subarray(1);
      if (v.length > size) fail('signature');
      out.set(v, size * (k + 1) - v.length);
    });
    return out;
  } catch {
    return fail('signature');
  }
}

/** Whether `signature` over `data` verifies with the key in `spki` (the suites in the header). */
async function verifyWith(spki: Node, sigAlg: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const keyAlg = child(spki, 0);
  const kind = oid(child(keyAlg, 0));
  if (kind === OID.rsa && (sigAlg === OID.sha256WithRsa || sigAlg === OID.rsa)) {
    const key = await crypto.subtle.importKey('spki', spki.der.slice(), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    return crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature.slice(), data.slice());
  }
  if (kind === OID.ecPublicKey && sigAlg === OID.ecdsaWithSha256) {
    const curve = oid(child(keyAlg, 1));
    const namedCurve = curve === OID.p256 ? 'P-256' : curve === OID.p384 ? 'P-384' : fail('algorithm');
    const key = await crypto.subtle.importKey('spki', spki.der.slice(), { name: 'ECDSA', namedCurve }, false, ['verify']);
    return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, ecdsaRaw(signature, namedCurve === 'P-256' ? 32 : 48).slice(), data.slice());
  }
  return fail('algorithm');
}

/** Verifies `der` as described in the header; throws SignedDataError naming the first check that failed. */
export async function verifySignedData(der: Uint8Array): Promise<VerifiedSignedData> {
  const p = parse(der);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', p.content.slice()));
  if (!p.messageDigest || !sameBytes(p.messageDigest, digest)) fail('digest');
  if (!(await verifyWith(p.spki, p.sigAlg, p.signedAttrs, p.signature))) fail('signature');
  return { content: p.content, certificate: p.certificate, spki: p.spki };
}
