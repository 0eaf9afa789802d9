import { child, Node, oid, read } from './der';
import { sameBytes, SignedDataError, SignedDataFailure, tbsField, verifySignedData } from './signed-data';

/**
 * What the prosecutor is shown about a signed request before deciding on it: the signer
 * certificate's details, read from the certificate inside the CMS, and whether the signature
 * verifies in this page (WebCrypto, the shared verifier of signed-data.ts). The page holds no trust
 * root and no CRLs, so the certificate path and revocation are what the gateway checked when it
 * received the request; the page says so rather than claiming it.
 */

export interface CertificateDetails {
  subjectCn: string;
  issuerCn: string;
  /** The serial number in upper-case hex, without the DER sign byte (as openssl and NCALayer print it). */
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

export type SignatureVerdict =
  | { kind: 'valid' }
  /** Not an algorithm WebCrypto has (GOST R 34.10-2012): not checked here, only by the gateway. */
  | { kind: 'unsupported' }
  /** Checked here and it failed: `code` names the check as the CLI does (cms.digest_mismatch, …). */
  | { kind: 'invalid'; code: string };

const CN = '2.5.4.3';

const FAILURE_CODES: Record<Exclude<SignedDataFailure, 'algorithm'>, string> = {
  malformed: 'cms.malformed',
  signer_count: 'cms.signer_count',
  signer_cert_missing: 'cms.signer_cert_missing',
  no_signed_attributes: 'cms.no_signed_attributes',
  digest: 'cms.digest_mismatch',
  signature: 'cms.signature_invalid',
};

function cn(name: Node): string {
  for (const rdn of name.children ?? []) {
    for (const atv of rdn.children ?? []) {
      if (oid(child(atv, 0)) === CN) return new TextDecoder().decode(child(atv, 1).value);
    }
  }
  return '';
}

/** UTCTime (YYMMDDHHMMSSZ, years 1950-2049 per RFC 5280) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
function time(n: Node): Date {
  const s = new TextDecoder().decode(n.value);
  const m = (n.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/ : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/).exec(s);
  if (!m) throw new Error(`unreadable certificate time ${s}`);
  const year = n.tag === 0x17 ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

export function certificateDetails(cert: Node): CertificateDetails {
  let serial = tbsField(cert, 0).value;
  while (serial.length > 1 && serial[0] === 0) serial = serial.subarray(1);
  const validity = tbsField(cert, 3);
  return {
    subjectCn: cn(tbsField(cert, 4)),
    issuerCn: cn(tbsField(cert, 2)),
    serial: [...serial].map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase(),
    notBefore: time(child(validity, 0)),
    notAfter: time(child(validity, 1)),
  };
}

/**
 * The certificate the signer info names (issuer and serial), else the first one included; undefined
 * when the CMS carries none or cannot be read. Used for the details even when the signature cannot
 * be checked here (a GOST request), so the prosecutor always sees whose certificate it is.
 */
export function signerCertificate(der: Uint8Array): Node | undefined {
  try {
    const sd = child(child(read(der), 1), 0);
    const certs = sd.children!.find((n) => n.tag === 0xa0)?.children ?? [];
    const sid = child(child(sd.children!.at(-1)!, 0), 1);
    return certs.find((c) => sid.tag === 0x30 && sameBytes(tbsField(c, 2).der, child(sid, 0).der) && sameBytes(tbsField(c, 0).der, child(sid, 1).der)) ?? certs[0];
  } catch {
    return undefined;
  }
}

/** The signer certificate's details, or undefined when they cannot be read (the view then shows the CN alone). */
export function signerDetails(der: Uint8Array): CertificateDetails | undefined {
  const cert = signerCertificate(der);
  try {
    return cert ? certificateDetails(cert) : undefined;
  } catch {
    return undefined;
  }
}

/** The request's signature checked in this page. */
export async function checkSignature(der: Uint8Array): Promise<SignatureVerdict> {
  try {
    await verifySignedData(der);
    return { kind: 'valid' };
  } catch (e) {
    if (!(e instanceof SignedDataError)) throw e;
    return e.reason === 'algorithm' ? { kind: 'unsupported' } : { kind: 'invalid', code: FAILURE_CODES[e.reason] };
  }
}
