import { X509Certificate } from 'node:crypto';
import type { ClientTrust } from '../client/trust';
import type { DeliveryBundle } from '../delivery/bundle';
import type { RequestDoc, SanctionDoc } from '../documents/types';
import { isArt50Error } from '../errors';
import { requestSignerRole } from '../participants/request-signer';
import type { Registry } from '../participants/registry';
import type { OrganisationEntry } from '../participants/types';
import { ncaSubject } from '../pki/cert-info';

/**
 * What a bank checks in a delivery before it opens its books: both signatures with path validation
 * to the trust root, the signers' roles, that the sanction is granted, valid now and bound to
 * exactly this request's digest, and that the encryption certificate handed over is the
 * requesting body's. Pure apart from the clock it is given: no I/O.
 */

/** A delivery whose documents verified; `refusal` is set when the bank must answer "refused". */
export interface VerifiedDelivery {
  bundle: DeliveryBundle;
  request: RequestDoc;
  requestDer: Buffer;
  sanctionDer: Buffer;
  digest: string;
  refusal?: string;
  /** The requesting body's encryption certificate from the bundle, checked: the statement is encrypted to it. */
  recipient?: X509Certificate;
}

export class DeliveryRejected extends Error {
  constructor(readonly code: string, readonly detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'DeliveryRejected';
  }
}

export interface DeliveryCheck {
  /** Path validation + registry + schema (client/trust loadClientTrust or clientTrust). */
  trust: ClientTrust;
  /** The bank's own participant registry: supervision and listed encryption certificates. */
  registry: Registry;
  /** The checking bank's BIC: a request not addressed to it is refused. */
  bic: string;
  clock: () => Date;
}

/** The bank's organisation entry from its certificate's OU BIN. */
export function bankOrganisation(registry: Registry, cert: X509Certificate): OrganisationEntry {
  const bin = ncaSubject(cert).bin;
  const org = bin ? registry.organisation(bin) : undefined;
  if (!org || org.kind !== 'bank' || !org.bic) throw new Error(`the certificate (OU BIN ${bin ?? '?'}) is not a bank in the participant registry`);
  return org;
}

/**
 * Checks a bundle: request and sanction CMS (signature, path, registry, schema), the request's
 * signer is an investigator/head of the named body, the sanction's signer a prosecutor of an
 * office supervising that body, and the sanction names this request and its digest. Throws
 * DeliveryRejected when the documents themselves cannot be trusted. A bundle whose documents
 * verify but do not allow an answer (refused or expired sanction, bank not addressed) comes back
 * with `refusal` set: the bank answers "refused" with that reason.
 */
export function verifyDelivery(bundle: DeliveryBundle, c: DeliveryCheck): VerifiedDelivery {
  if (!bundle || typeof bundle.deliveryId !== 'string' || typeof bundle.request !== 'string' || typeof bundle.sanction !== 'string') {
    throw new DeliveryRejected('bundle.malformed', 'the delivery bundle lacks deliveryId, request or sanction');
  }
  const requestDer = Buffer.from(bundle.request, 'base64');
  const sanctionDer = Buffer.from(bundle.sanction, 'base64');
  const open = <K extends 'request' | 'sanction'>(der: Buffer, kind: K) => {
    try {
      return c.trust.open(der, kind);
    } catch (e) {
      if (isArt50Error(e)) throw new DeliveryRejected(e.code, `${kind}: ${e.detail}`);
      throw e;
    }
  };
  const req = open(requestDer, 'request');
  const san = open(sanctionDer, 'sanction');
  const request = req.doc;
  const sanction: SanctionDoc = san.doc;
  if (request.requestId !== bundle.requestId) throw new DeliveryRejected('bundle.mismatch', `the bundle names request ${bundle.requestId}, the signed request is ${request.requestId}`);
  if (req.participant.organisation.kind !== 'police') throw new DeliveryRejected('participant.role', 'the request is not signed by a member of a criminal prosecution body');
  try {
    requestSignerRole(req.participant, req.signer.cert);
  } catch (e) {
    if (isArt50Error(e)) throw new DeliveryRejected(e.code, `request: ${e.detail}`);
    throw e;
  }
  if (req.participant.organisation.bin !== request.body.bin) throw new DeliveryRejected('participant.wrong_body', 'the request signer does not belong to the body named in the request');
  if (san.participant.organisation.kind !== 'prosecutor_office' || !san.participant.roles.includes('prosecutor')) {
    throw new DeliveryRejected('participant.role', 'the sanction is not signed by a prosecutor');
  }
  const v: VerifiedDelivery = { bundle, request, requestDer, sanctionDer, digest: req.digest, ...recipientOf(bundle, request, c) };
  const now = c.clock().getTime();
  if (sanction.requestDigest !== req.digest) v.refusal = `the sanction is bound to request digest ${sanction.requestDigest}, not to this request (${req.digest})`;
  else if (sanction.requestId !== request.requestId) v.refusal = 'the sanction names another request';
  else if (sanction.case.erdrNumber !== request.case.erdrNumber) v.refusal = 'the sanction names another case';
  else if (!c.registry.supervises(san.participant.organisation.bin, request.body.bin)) v.refusal = 'the sanctioning prosecutor\'s office does not supervise the requesting body';
  else if (sanction.decision !== 'granted') v.refusal = 'the prosecutor refused the sanction';
  else if (Date.parse(sanction.issuedAt) > now + 300_000) v.refusal = 'the sanction is not yet valid';
  else if (Date.parse(sanction.validUntil) < san.signingTime.getTime()) v.refusal = 'the sanction had expired when it was signed';
  else if (request.banks !== 'all' && !request.banks.includes(c.bic)) v.refusal = `the request is not addressed to ${c.bic}`;
  return v;
}

/**
 * The encryption certificate the bundle hands over must chain to the trust root, allow
 * keyEncipherment and belong to the requesting body (OU BIN); when the bank's own registry lists
 * the body's certificate, it must be that one. A bank never encrypts bank secrets to a key the
 * gateway could have swapped in.
 */
function recipientOf(bundle: DeliveryBundle, request: RequestDoc, c: DeliveryCheck): { recipient?: X509Certificate } {
  if (bundle.encryptionCertificate === undefined) return {};
  const reject = (why: string): never => {
    throw new DeliveryRejected('bundle.encryption_certificate', `the encryption certificate in the bundle ${why}`);
  };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(bundle.encryptionCertificate, 'base64'));
  } catch {
    return reject('is not a certificate');
  }
  try {
    c.trust.validator.validate(cert, { purpose: 'encryption' });
  } catch (e) {
    reject(`is refused: ${isArt50Error(e) ? e.detail : (e as Error).message}`);
  }
  if (ncaSubject(cert).bin !== request.body.bin) reject(`belongs to BIN ${ncaSubject(cert).bin ?? '?'}, not to the requesting body ${request.body.bin}`);
  const listed = c.registry.encryptionCertificate(request.body.bin);
  if (listed && listed.fingerprint256 !== cert.fingerprint256) reject('is not the one the participant registry lists for the requesting body');
  return { recipient: cert };
}
