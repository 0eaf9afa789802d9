import { b64, child, explicit, Node, nul, objectId, octets, oid, read, seq, set, small, tlv, uint, utcTime } from './der';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
};

/** What a signer in the page needs: the certificate to include and a way to sign bytes. */
export interface PageKey {
  certificate: Uint8Array;
  kind: 'rsa' | 'ec';
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** ECDSA in WebCrypto gives r||s; CMS wants the DER SEQUENCE of two INTEGERs. */
function ecdsaDer(raw: Uint8Array): Uint8Array {
  const h = raw.length / 2;
  return seq(uint(raw.subarray(0, h)), uint(raw.subarray(h)));
}

/**
 * CMS SignedData, content attached, SHA-256, signed attributes contentType + signingTime +
 * messageDigest, the signer's certificate included — the profile every art50 document has.
 */
export async function signAttached(content: Uint8Array, key: PageKey, now = new Date()): Promise<Uint8Array> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', content.slice()));
  const cert = read(key.certificate);
  const tbs = child(cert, 0);
  const hasVersion = child(tbs, 0).tag === 0xa0;
  const serial = child(tbs, hasVersion ? 1 : 0);
  const issuer = child(tbs, hasVersion ? 3 : 2);
  const attrs = [
    seq(objectId(OID.contentType), set(objectId(OID.data))),
    seq(objectId(OID.signingTime), set(utcTime(now))),
    seq(objectId(OID.messageDigest), set(octets(digest))),
  ];
  const signedAttrs = set(...attrs);
  const raw = await key.sign(signedAttrs);
  const signature = key.kind === 'ec' ? ecdsaDer(raw) : raw;
  const sigAlg = key.kind === 'ec' ? seq(objectId(OID.ecdsaWithSha256)) : seq(objectId(OID.sha256WithRsa), nul());
  const signerInfo = seq(
    small(1),
    seq(issuer.der, serial.der),
    seq(objectId(OID.sha256)),
    tlv(0xa0, signedAttrs.subarray(signedAttrs[1]! & 0x80 ? 2 + (signedAttrs[1]! & 0x7f) : 2)),
    sigAlg,
    octets(signature),
  );
  const signedData = seq(
    small(1),
    set(seq(objectId(OID.sha256))),
    seq(objectId(OID.data), explicit(0, octets(content))),
    tlv(0xa0, key.certificate),
    set(signerInfo),
  );
  return seq(objectId(OID.signedData), explicit(0, signedData));
}

/** The attached content and the signer certificate's subject CN of a CMS SignedData (what the page shows). */
export function openCms(der: Uint8Array): { content: Uint8Array; signerCn: string; certificate?: Uint8Array } {
  const ci = read(der);
  if (oid(child(ci, 0)) !== OID.signedData) throw new Error('not a CMS SignedData');
  const sd = child(child(ci, 1), 0);
  const encap = child(sd, 2);
  const octet = child(child(encap, 1), 0);
  const certs = sd.children!.find((n: Node) => n.tag === 0xa0);
  const cert = certs?.children?.[0];
  return { content: octet.value, signerCn: cert ? subjectCn(cert) : '', ...(cert ? { certificate: cert.der } : {}) };
}

export function subjectCn(cert: Node): string {
  const tbs = child(cert, 0);
  const hasVersion = child(tbs, 0).tag === 0xa0;
  const subject = child(tbs, hasVersion ? 5 : 4);
  for (const rdn of subject.children ?? []) {
    for (const atv of rdn.children ?? []) {
      if (oid(child(atv, 0)) === '2.5.4.3') return new TextDecoder().decode(child(atv, 1).value);
    }
  }
  return '';
}

export { b64 };
