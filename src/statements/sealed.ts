import { createHash, X509Certificate } from 'node:crypto';
import { decodeAll, raw } from '../asn1/der';
import { encryptAuthEnveloped } from '../cms/auth-enveloped';
import { signCms } from '../cms/sign';
import type { SigningIdentity } from '../cms/types';
import { parseSignedData } from '../cms/verify';
import type { StatementDoc, StatementHeaderDoc } from '../documents/types';

/**
 * An encrypted statement travels as two CMS objects sent back to back in one body
 * (`application/pkcs7-mime`): the bank-signed statement header (SignedData over JSON the gateway
 * reads) and the AuthEnvelopedData holding the bank-signed statement, which only the requesting
 * body's key opens. `cat header.p7s statement.p7e > upload.der` builds it with stock tools.
 */
export interface SealedParts {
  header: Buffer;
  ciphertext: Buffer;
}

export const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * A body of exactly two DER elements is a sealed statement; anything else (one element, PEM,
 * garbage) is left to the plain-statement pipeline, which reports it as it always has.
 */
export function splitSealedUpload(body: Buffer): SealedParts | undefined {
  if (body.length === 0 || body[0] !== 0x30) return undefined;
  let parts;
  try {
    parts = decodeAll(body);
  } catch {
    return undefined;
  }
  if (parts.length !== 2) return undefined;
  return { header: raw(parts[0]!), ciphertext: raw(parts[1]!) };
}

export function joinSealedUpload(p: SealedParts): Buffer {
  return Buffer.concat([p.header, p.ciphertext]);
}

/** Accounts and movements of a statement: what the header counts. */
export function statementCounts(doc: Pick<StatementDoc, 'accounts'>): StatementHeaderDoc['counts'] {
  const accounts = doc.accounts ?? [];
  return { accounts: accounts.length, movements: accounts.reduce((n, a) => n + (a.movements?.length ?? 0), 0) };
}

/**
 * The bank's side: given its signed statement (CMS SignedData DER, as it signs today) and the
 * requesting body's encryption certificate (from the delivery bundle), encrypt the signed bytes to
 * that certificate and sign the header that binds them.
 */
export function sealStatement(o: {
  signed: Buffer;
  recipient: X509Certificate;
  signer: SigningIdentity;
  deliveryId?: string;
  signingTime?: Date;
}): SealedParts & { doc: StatementHeaderDoc } {
  const content = parseSignedData(o.signed).content;
  if (!content) throw new Error('the signed statement has no attached content');
  const statement = JSON.parse(content.toString('utf8')) as StatementDoc;
  const ciphertext = encryptAuthEnveloped(o.signed, [o.recipient]);
  const doc: StatementHeaderDoc = {
    type: 'statement-header',
    version: 1,
    statementId: statement.statementId,
    requestId: statement.requestId,
    requestDigest: statement.requestDigest,
    ...(o.deliveryId ? { deliveryId: o.deliveryId } : {}),
    bank: statement.bank,
    generatedAt: statement.generatedAt,
    result: statement.result,
    ...(statement.corrects ? { corrects: statement.corrects } : {}),
    counts: statementCounts(statement),
    digests: { statement: sha256Hex(content), signedStatement: sha256Hex(o.signed), ciphertext: sha256Hex(ciphertext) },
  };
  const header = signCms(Buffer.from(JSON.stringify(doc), 'utf8'), o.signer, o.signingTime ? { signingTime: o.signingTime } : {});
  return { header, ciphertext, doc };
}
