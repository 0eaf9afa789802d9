import { Art50Error } from '../errors';
import type { StatementDoc, StatementHeaderDoc } from '../documents/types';
import { namesCertificate, parseAuthEnveloped } from '../cms/auth-enveloped';
import type { Registry } from '../participants/registry';
import type { Participant } from '../participants/types';
import type { BankDelivery, StoredRequest } from '../requests/types';
import { sha256Hex } from './sealed';
import { deliveryIdOf } from '../store/keys';

/**
 * The checks a bank's statement must pass beyond its signature, each a pure function that throws
 * the Art50Error of its rule: who signed and who posted it, which delivery it answers, its binding
 * to the request, and (encrypted or not) whether it is addressed as the requesting body requires.
 * StatementIntake (intake.ts) runs them in order.
 */

/** Bank states in which a delivery may be answered (first answer); answered ones only by correction. */
const ANSWERABLE = new Set(['delivered', 'acknowledged', 'overdue', 'answered', 'refused_by_bank']);


/** The TLS client posting the statement is the bank the statement names. */
export function checkStatementClient(doc: Pick<StatementDoc, 'bank'>, client: Participant): void {
  if (client.organisation.kind !== 'bank' || client.organisation.bic !== doc.bank.bic) {
    throw new Art50Error('participant.wrong_bank', `the TLS client is ${client.organisation.name}, not bank ${doc.bank.bic} named in the statement`, { field: '/bank/bic' });
  }
}

/**
 * The bank has a delivery of this request it may answer. An unknown request gets the same answer
 * as a request this bank was not asked: a bank does not learn which requests exist.
 */
export function checkDelivery(doc: Pick<StatementDoc, 'bank' | 'requestId'>, request: StoredRequest | undefined, banks: Record<string, BankDelivery>): BankDelivery {
  const delivery = request ? banks[doc.bank.bic] : undefined;
  if (!delivery || !ANSWERABLE.has(delivery.state)) {
    throw new Art50Error('statement.no_delivery', `bank ${doc.bank.bic} has no delivery of request ${doc.requestId} to answer`, { field: '/requestId' });
  }
  return delivery;
}

/** requestDigest binds the statement to exactly the request version the bank received. */
export function checkStatementBinding(doc: Pick<StatementDoc, 'requestDigest'>, request: Pick<StoredRequest, 'digest'>): void {
  if (doc.requestDigest !== request.digest) {
    throw new Art50Error('statement.digest_mismatch', 'requestDigest is not the digest of the request delivered to this bank', { field: '/requestDigest' });
  }
}

/**
 * A plain statement is refused for a body that reads encrypted statements only: the gateway must
 * never hold that body's bank secrets in clear.
 */
export function checkPlainAllowed(request: Pick<StoredRequest, 'bodyBin'>, registry: Registry): void {
  if (registry.encryptionCertificate(request.bodyBin)) {
    throw new Art50Error('statement.encryption_required', 'the requesting body has an encryption certificate: encrypt the signed statement to it (CMS AuthEnvelopedData) and post it with its signed header');
  }
}

/**
 * The ciphertext is the one the signed header names, and it is addressed to the requesting body's
 * encryption certificate with the accepted algorithms. The gateway holds no key that opens it.
 */
export function checkSealedCiphertext(header: StatementHeaderDoc, ciphertext: Buffer, request: Pick<StoredRequest, 'bodyBin'>, registry: Registry): void {
  if (sha256Hex(ciphertext) !== header.digests.ciphertext) {
    throw new Art50Error('statement.header_mismatch', 'digests.ciphertext of the signed header is not the SHA-256 of the ciphertext posted with it', { field: '/digests/ciphertext' });
  }
  const recipient = registry.encryptionCertificate(request.bodyBin);
  if (!recipient) {
    throw new Art50Error('statement.wrong_recipient', 'the requesting body has no encryption certificate in the registry: send the signed statement unencrypted');
  }
  if (header.deliveryId !== undefined && header.deliveryId !== deliveryIdOf(header.requestId, header.bank.bic)) {
    throw new Art50Error('statement.header_mismatch', `deliveryId ${header.deliveryId} of the signed header is not this bank's delivery of the request (${deliveryIdOf(header.requestId, header.bank.bic)})`, { field: '/deliveryId' });
  }
  const parsed = parseAuthEnveloped(ciphertext);
  // Every recipient, not just one: a ciphertext also addressed to anyone else would hand the
  // statement to a third party through the gateway.
  if (parsed.recipients.length === 0 || !parsed.recipients.every((r) => namesCertificate(r.rid, recipient))) {
    throw new Art50Error('statement.wrong_recipient', 'the ciphertext must be encrypted to the requesting body\'s encryption certificate and to no one else');
  }
}
