import type { KeyObject, X509Certificate } from 'node:crypto';
import { decryptAuthEnveloped } from '../cms/auth-enveloped';
import type { SignedDocument } from '../documents/signed-document';
import type { StatementDoc, StatementHeaderDoc } from '../documents/types';
import { Art50Error } from '../errors';
import { sha256Hex, statementCounts } from './sealed';

/** The requesting body's encryption key: its certificate and private key (from its PKCS#12 file). */
export interface DecryptionIdentity {
  cert: X509Certificate;
  key: KeyObject;
}

export interface UnsealedStatement {
  /** The bank-signed statement, verified. */
  statement: SignedDocument<StatementDoc>;
  /** Its CMS SignedData DER as the bank signed it (what the ciphertext held). */
  signed: Buffer;
  header: SignedDocument<StatementHeaderDoc>;
}

function mismatch(what: string, field: string): never {
  throw new Art50Error('statement.header_mismatch', `the statement inside the ciphertext does not match its signed header: ${what}`, { field });
}

/**
 * The investigator's side of an encrypted statement, in order: the ciphertext is the one the
 * header names → it opens with the body's key → the plaintext is the signed statement the header
 * names → the bank's signature verifies (`open`: CMS, path, registry, schema) → every field the
 * header states (binding, result, counts, document digest, signing bank) is what the statement
 * says. Any step failing is a refusal with its code; nothing is returned half-checked.
 */
export function unsealStatement(o: {
  header: SignedDocument<StatementHeaderDoc>;
  ciphertext: Buffer;
  identity: DecryptionIdentity;
  open: (signed: Buffer) => SignedDocument<StatementDoc>;
}): UnsealedStatement {
  const h = o.header.doc;
  if (sha256Hex(o.ciphertext) !== h.digests.ciphertext) mismatch('the ciphertext is not the one the header names', '/digests/ciphertext');
  const signed = decryptAuthEnveloped(o.ciphertext, o.identity.key, o.identity.cert);
  if (sha256Hex(signed) !== h.digests.signedStatement) mismatch('the signed statement is not the one the header names', '/digests/signedStatement');
  const statement = o.open(signed);
  const d = statement.doc;
  if (statement.digest !== h.digests.statement) mismatch('the statement digest differs', '/digests/statement');
  if (d.statementId !== h.statementId) mismatch('statementId differs', '/statementId');
  if (d.requestId !== h.requestId) mismatch('requestId differs', '/requestId');
  if (d.requestDigest !== h.requestDigest) mismatch('requestDigest differs', '/requestDigest');
  if (d.bank.bic !== h.bank.bic || d.bank.bin !== h.bank.bin) mismatch('the bank differs', '/bank');
  if (d.result !== h.result) mismatch('the result differs', '/result');
  if ((d.corrects ?? '') !== (h.corrects ?? '')) mismatch('corrects differs', '/corrects');
  const counts = statementCounts(d);
  if (counts.accounts !== h.counts.accounts || counts.movements !== h.counts.movements) mismatch('the counts of accounts and movements differ', '/counts');
  if (statement.participant.organisation.bin !== o.header.participant.organisation.bin) mismatch('the header and the statement are signed by different organisations', '/bank');
  return { statement, signed, header: o.header };
}
