import type { DeliveryHint } from '../delivery/queues';
import { Art50Error } from '../errors';
import { checkSanctionSigner } from '../documents/kinds/sanction';
import type { SanctionDoc } from '../documents/types';
import type { Registry } from '../participants/registry';
import type { Participant } from '../participants/types';
import type { RequestServiceDeps } from './store';
import type { RequestState, StoredRequest } from './types';

/** The answer to POST /v1/requests/{id}/sanction (the API client shares this type). */
export interface SanctionView {
  requestId: string;
  sanctionId: string;
  digest: string;
  decision: 'granted' | 'refused';
  state: RequestState;
  /** base64 DER of the gateway-sealed sanction receipt. */
  receipt: string;
  logIndex: number;
}

export interface SanctionResult {
  /** Decided now, or the same sanction again (idempotent replay); the route chooses the HTTP status. */
  outcome: 'decided' | 'replayed';
  body: SanctionView;
  /** BICs whose deliveries were enqueued by this call (granted now only). */
  queued: string[];
}

/**
 * Puts the deliveries of a grant into the delivery queues (the sanction script already wrote them
 * to the outbox, so a failure here is retried by the outbox sweep). `hint` goes into their jobs, so
 * the worker need not read the request again. Must not reject.
 */
export type EnqueueDeliveries = (requestId: string, bics: readonly string[], hint: DeliveryHint) => Promise<unknown>;

export function checkSanctionBinding(doc: SanctionDoc, requestId: string, request: Pick<StoredRequest, 'digest' | 'erdrNumber'>, now: Date): void {
  if (doc.requestId !== requestId) {
    throw new Art50Error('sanction.request_mismatch', `the sanction names request ${doc.requestId}, not ${requestId}`, { field: '/requestId' });
  }
  if (doc.requestDigest !== request.digest) {
    throw new Art50Error('sanction.digest_mismatch', 'requestDigest is not the digest of the stored request: the sanction was given for other content', { field: '/requestDigest' });
  }
  if (doc.case.erdrNumber !== request.erdrNumber) {
    throw new Art50Error('sanction.case_mismatch', `the sanction names case ${doc.case.erdrNumber}, the request case ${request.erdrNumber}`, { field: '/case/erdrNumber' });
  }
  if (now.getTime() < Date.parse(doc.issuedAt)) {
    throw new Art50Error('sanction.not_yet_valid', `the sanction is issued at ${doc.issuedAt}, later than now`, { field: '/issuedAt' });
  }
  if (now.getTime() > Date.parse(doc.validUntil)) {
    throw new Art50Error('sanction.expired', `the sanction was valid until ${doc.validUntil}`, { field: '/validUntil' });
  }
}

/**
 * Who may post a sanction for a request of body `bodyBin`: the requesting body's system (relaying
 * what its prosecutor signed) or a prosecutor's office that supervises the body. To every other
 * client the request does not exist (404, as GET answers), so an id reveals nothing.
 */
export function maySubmitSanction(client: Participant, bodyBin: string, registry: Registry): boolean {
  const org = client.organisation;
  if (org.kind === 'police') return org.bin === bodyBin;
  if (org.kind === 'prosecutor_office') return registry.supervises(org.bin, bodyBin);
  return false;
}

/**
 * POST /v1/requests/{id}/sanction. The signature decides, not the TLS client: a police system may
 * relay a sanction its prosecutor signed.
 */
export class SanctionService {
  constructor(private readonly deps: RequestServiceDeps, private readonly enqueue?: EnqueueDeliveries) {}

  async decide(requestId: string, der: Buffer, client: Participant): Promise<SanctionResult> {
    const { verifier, registry, store, log, sealer, clock } = this.deps;
    const now = clock();
    const request = await store.header(requestId);
    // Tenancy before anything else: to a client that may not act on the request it does not exist.
    if (!request || !maySubmitSanction(client, request.bodyBin, registry)) {
      throw new Art50Error('request.not_found', `no request ${requestId}`);
    }
    const sd = await verifier.openFresh(der, 'sanction');
    checkSanctionSigner(sd, request, registry);
    // The very sanction already recorded, sent again (a retry): a replay, even after validUntil.
    if (request.sanctionDigest !== sd.digest) checkSanctionBinding(sd.doc, requestId, request, now);
    const { doc } = sd;
    const time = now.toISOString();
    const bics = doc.decision === 'granted' ? resolveBanks(request, registry) : [];
    const base = { requestId, actor: { fingerprint: sd.signer.fingerprint, role: 'prosecutor' as const } };
    const outcome = await store.decide({
      requestId,
      bodyBin: request.bodyBin,
      requestDigest: request.digest,
      sanctionDigest: sd.digest,
      decision: doc.decision,
      entryTemplate: log.template({ ...base, event: doc.decision === 'granted' ? 'sanction.granted' : 'sanction.refused', time, digests: { request: request.digest, sanction: sd.digest } }),
      bics,
      queuedTemplates: bics.map((bank) => log.template({ event: 'delivery.queued', time, requestId, bank, digests: { request: request.digest } })),
      cms: sd.cms, // DER, also when the sanction was posted as PEM
      fields: {
        sanctionId: doc.sanctionId,
        decision: doc.decision,
        decisionReason: doc.reason ?? '',
        decidedAt: time,
        officeBin: sd.participant.organisation.bin,
        resolvedBanks: JSON.stringify(bics),
      },
    });
    switch (outcome.kind) {
      case 'not_found':
        throw new Art50Error('request.not_found', `no request ${requestId}`);
      case 'digest_mismatch':
        throw new Art50Error('sanction.digest_mismatch', 'requestDigest is not the digest of the stored request', { field: '/requestDigest' });
      case 'already_decided':
        throw new Art50Error('sanction.already_decided', `request ${requestId} was already decided (state ${outcome.state}); a second sanction is not accepted`);
      default:
        break;
    }
    const queued = outcome.kind === 'decided' ? bics : [];
    // The jobs go into the queues while the receipt is sealed and stored: the answer waits for both,
    // and Redis fsyncs the two writes together instead of one after the other.
    const enqueued = queued.length > 0 && this.enqueue
      ? this.enqueue(requestId, queued, { digest: request.digest, deadlineHours: request.deadlineHours }).then(undefined, () => undefined)
      : undefined;
    const receipt = outcome.receipt ?? (await store.setReceipt(requestId, 'sanctionReceipt', sealer.seal({
      event: doc.decision === 'granted' ? 'sanction.granted' : 'sanction.refused',
      logIndex: outcome.logIndex, time, requestId, sanctionId: doc.sanctionId, digest: sd.digest, requestDigest: request.digest,
    })));
    await enqueued;
    return {
      outcome: outcome.kind === 'decided' ? 'decided' : 'replayed',
      body: { requestId, sanctionId: doc.sanctionId, digest: sd.digest, decision: doc.decision, state: outcome.state, receipt: receipt.toString('base64'), logIndex: outcome.logIndex },
      queued,
    };
  }
}

/** "all" means every bank in the registry at the moment of the sanction; the list is recorded. */
export function resolveBanks(request: Pick<StoredRequest, 'banks'>, registry: Registry): string[] {
  if (request.banks === 'all') return registry.banks().map((b) => b.bic!).sort();
  return [...request.banks];
}
