import { child, Node, oid } from './der';
import { PageError } from './shared';
import { SignedDataError, SignedDataFailure, tbsField, verifySignedData } from './signed-data';

/**
 * Verifies a signed document (a bank's statement or its header) in the page: the CMS signature with
 * WebCrypto (signed-data.ts), then who signed it. The certificate path and revocation need the
 * trust root and CRLs, which the page does not hold: the CLI checks those (`art50 police fetch`);
 * the page shows who signed and checks it is the bank the header names.
 */

const NAME_OID = { cn: '2.5.4.3', o: '2.5.4.10', ou: '2.5.4.11' };

/** Each failure as the page reports it: [error code, as the CLI names it; message key]. */
const FAILURES: Record<SignedDataFailure, [code: string, messageKey: string]> = {
  malformed: ['cms.malformed', 'stmt.malformed'],
  signer_count: ['cms.signer_count', 'stmt.malformed'],
  signer_cert_missing: ['cms.signer_cert_missing', 'stmt.malformed'],
  no_signed_attributes: ['cms.no_signed_attributes', 'stmt.malformed'],
  algorithm: ['cms.unsupported_algorithm', 'stmt.unsupported'],
  digest: ['cms.digest_mismatch', 'stmt.digestMismatch'],
  signature: ['cms.signature_invalid', 'stmt.signatureInvalid'],
};

export interface VerifiedCms {
  content: Uint8Array;
  certificate: Uint8Array;
  subject: { cn: string; o: string; ou: string };
  /** The BIN the certificate names (OU "BIN…", the NCA convention). */
  bin: string;
}

function names(cert: Node): VerifiedCms['subject'] {
  const out = { cn: '', o: '', ou: '' };
  for (const rdn of tbsField(cert, 4).children ?? []) {
    for (const atv of rdn.children ?? []) {
      const text = new TextDecoder().decode(child(atv, 1).value);
      const id = oid(child(atv, 0));
      if (id === NAME_OID.cn) out.cn = text;
      else if (id === NAME_OID.o) out.o = text;
      else if (id === NAME_OID.ou) out.ou = text;
    }
  }
  return out;
}

export async function verifyCms(der: Uint8Array): Promise<VerifiedCms> {
  let verified;
  try {
    verified = await verifySignedData(der);
  } catch (e) {
    if (!(e instanceof SignedDataError)) throw e;
    const [code, messageKey] = FAILURES[e.reason];
    throw new PageError(code, messageKey);
  }
  const subject = names(verified.certificate);
  return { content: verified.content, certificate: verified.certificate.der, subject, bin: /^BIN(\d{12})$/.exec(subject.ou)?.[1] ?? '' };
}

export async function sha256Hex(b: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', b.slice()))].map((x) => x.toString(16).padStart(2, '0')).join('');
}
