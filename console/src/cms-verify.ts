import { child, Node, oid, read } from './der';
import { PageError } from './shared';

/**
 * Verifies a CMS SignedData in the page with WebCrypto, as the gateway's first steps do
 * (src/cms/verify.ts): one signer, signed attributes present, messageDigest = SHA-256 of the
 * attached content, the signature over the signed attributes valid for the included signer
 * certificate (RSA PKCS#1 v1.5 or ECDSA P-256/P-384, SHA-256). The certificate path and
 * revocation need the trust root and CRLs, which the page does not hold: the CLI checks those
 * (`art50 police fetch`); the page shows who signed and checks it is the bank the header names.
 */

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
  cn: '2.5.4.3',
  o: '2.5.4.10',
  ou: '2.5.4.11',
};

export interface VerifiedCms {
  content: Uint8Array;
  certificate: Uint8Array;
  subject: { cn: string; o: string; ou: string };
  /** The BIN the certificate names (OU "BIN…", the NCA convention). */
  bin: string;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const bad = (key = 'stmt.signatureInvalid', code = 'cms.signature_invalid'): never => {
  throw new PageError(code, key);
};

function names(cert: Node): VerifiedCms['subject'] {
  const tbs = child(cert, 0);
  const v = child(tbs, 0).tag === 0xa0 ? 1 : 0;
  const out = { cn: '', o: '', ou: '' };
  for (const rdn of child(tbs, 4 + v).children ?? []) {
    for (const atv of rdn.children ?? []) {
      const text = new TextDecoder().decode(child(atv, 1).value);
      const id = oid(child(atv, 0));
      if (id === OID.cn) out.cn = text;
      else if (id === OID.o) out.o = text;
      else if (id === OID.ou) out.ou = text;
    }
  }
  return out;
}

/** ECDSA-Sig-Value (DER SEQUENCE of r, s) → r||s as WebCrypto wants it. */
function ecdsaRaw(der: Uint8Array, size: number): Uint8Array {
  const sig = read(der);
  const out = new Uint8Array(size * 2);
  for (const [k, n] of [child(sig, 0), child(sig, 1)].entries()) {
    let v = n.value;
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    if (v.length > size) bad();
    out.set(v, size * (k + 1) - v.length);
  }
  return out;
}

async function verifySignature(cert: Node, sigAlg: string, signed: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const tbs = child(cert, 0);
  const spki = child(tbs, 5 + (child(tbs, 0).tag === 0xa0 ? 1 : 0));
  const keyAlg = child(spki, 0);
  const kind = oid(child(keyAlg, 0));
  if (kind === OID.rsa && (sigAlg === OID.sha256WithRsa || sigAlg === OID.rsa)) {
    const key = await crypto.subtle.importKey('spki', spki.der.slice(), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    return crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature.slice(), signed.slice());
  }
  if (kind === OID.ecPublicKey && sigAlg === OID.ecdsaWithSha256) {
    const curve = oid(child(keyAlg, 1));
    const namedCurve = curve === OID.p256 ? 'P-256' : curve === OID.p384 ? 'P-384' : '';
    if (!namedCurve) bad('stmt.unsupported', 'cms.unsupported_algorithm');
    const key = await crypto.subtle.importKey('spki', spki.der.slice(), { name: 'ECDSA', namedCurve }, false, ['verify']);
    return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, ecdsaRaw(signature, namedCurve === 'P-256' ? 32 : 48).slice(), signed.slice());
  }
  return bad('stmt.unsupported', 'cms.unsupported_algorithm');
}

export async function verifyCms(der: Uint8Array): Promise<VerifiedCms> {
  let sd: Node;
  try {
    const ci = read(der);
    if (oid(child(ci, 0)) !== OID.signedData) bad('stmt.malformed', 'cms.malformed');
    sd = child(child(ci, 1), 0);
  } catch (e) {
    if (e instanceof PageError) throw e;
    return bad('stmt.malformed', 'cms.malformed');
  }
  const content = child(child(child(sd, 2), 1), 0).value;
  const certs = sd.children!.find((n) => n.tag === 0xa0)?.children ?? [];
  const infos = sd.children!.at(-1)?.children ?? [];
  if (infos.length !== 1) bad('stmt.malformed', 'cms.signer_count');
  const si = infos[0]!;
  const sid = child(si, 1);
  const cert = certs.find((c) => {
    const tbs = child(c, 0);
    const v = child(tbs, 0).tag === 0xa0 ? 1 : 0;
    return sid.tag === 0x30 && same(child(tbs, 2 + v).der, child(sid, 0).der) && same(child(tbs, v).der, child(sid, 1).der);
  });
  if (!cert) return bad('stmt.malformed', 'cms.signer_cert_missing');
  if (oid(child(child(si, 2), 0)) !== OID.sha256) bad('stmt.unsupported', 'cms.unsupported_algorithm');
  const attrs = child(si, 3);
  if (attrs.tag !== 0xa0) bad('stmt.malformed', 'cms.no_signed_attributes');
  const md = attrs.children!.find((a) => oid(child(a, 0)) === OID.messageDigest);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', content.slice()));
  if (!md || !same(child(child(md, 1), 0).value, digest)) bad('stmt.digestMismatch', 'cms.digest_mismatch');
  const signedAttrs = attrs.der.slice();
  signedAttrs[0] = 0x31; // signed over as a SET OF (RFC 5652 §5.4)
  const ok = await verifySignature(cert, oid(child(child(si, 4), 0)), signedAttrs, child(si, 5).value);
  if (!ok) bad();
  const subject = names(cert);
  return { content, certificate: cert.der, subject, bin: /^BIN(\d{12})$/.exec(subject.ou)?.[1] ?? '' };
}

export async function sha256Hex(b: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', b.slice()))].map((x) => x.toString(16).padStart(2, '0')).join('');
}
