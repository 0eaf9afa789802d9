import { Art50Error } from '../errors';
import type { SignedDocument } from '../documents/signed-document';
import type { RequestDoc } from '../documents/types';
import { subjectIdentifier } from '../documents/subject';
import type { ClientIdentity } from '../participants/types';
import type { Registry } from '../participants/registry';
import type { Role } from '../participants/types';
import type { RequestServiceDeps } from './store';
import { checkRequestSigner } from '../documents/kinds/request';
import type { RequestState } from './types';

export const MAX_DEADLINE_HOURS = 72;
/** Oldest createdAt accepted at submission (ART50_REQUEST_MAX_AGE_DAYS). */
export const DEFAULT_MAX_AGE_DAYS = 7;

/** The answer to POST /v1/requests (the API client shares this type). */
export interface SubmitView {
  requestId: string;
  digest: string;
  state: RequestState;
  /** base64 DER of the gateway-sealed request.received receipt. */
  receipt: string;
  logIndex: number;
}

export interface IntakeResult {
  /** Stored now, or the same request again (idempotent replay); the route chooses the HTTP status. */
  outcome: 'stored' | 'replayed';
  body: SubmitView;
}

export function checkRequestContent(doc: RequestDoc, registry: Registry, now: Date, skewSeconds: number, maxAgeDays = DEFAULT_MAX_AGE_DAYS): void {
  if ((doc.deadlineHours ?? MAX_DEADLINE_HOURS) > MAX_DEADLINE_HOURS) {
    throw new Art50Error('request.deadline', `deadlineHours may not exceed ${MAX_DEADLINE_HOURS} (CPC Art. 34 part 5)`, { field: '/deadlineHours' });
  }
  const created = Date.parse(doc.createdAt);
  if (created > now.getTime() + skewSeconds * 1000) {
    throw new Art50Error('document.created_in_future', `createdAt ${doc.createdAt} is in the future`, { field: '/createdAt' });
  }
  // A request signed long ago and submitted only now is a mistake or a replay of an old paper trail.
  if (created < now.getTime() - maxAgeDays * 86_400_000) {
    throw new Art50Error('document.too_old', `createdAt ${doc.createdAt} is more than ${maxAgeDays} days ago; sign a fresh request`, { field: '/createdAt' });
  }
  // Balances and movements can only be asked for dates that have begun (Almaty is UTC+5: allow the day ahead of UTC).
  const tomorrow = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
  const future = (date: string | undefined, field: string): void => {
    if (date !== undefined && date.slice(0, 10) > tomorrow) throw new Art50Error('document.date_in_future', `${field.slice(1).replace(/\//g, '.')} ${date} lies in the future`, { field });
  };
  future(doc.scope.balances?.asOf, '/scope/balances/asOf');
  future(doc.scope.movements?.from, '/scope/movements/from');
  future(doc.scope.movements?.to, '/scope/movements/to');
  if (doc.banks !== 'all') {
    doc.banks.forEach((bic, i) => {
      if (!registry.bankByBic(bic)) throw new Art50Error('document.unknown_bank', `field /banks/${i}: bank ${bic} is not a registered bank`, { field: `/banks/${i}` });
    });
  }
  const m = doc.scope.movements;
  if (m && m.from > m.to) throw new Art50Error('document.schema', 'scope.movements.from is after scope.movements.to', { field: '/scope/movements' });
}

/**
 * POST /v1/requests: verify, check signer and client, store with state awaiting_sanction,
 * seal a receipt. Idempotent on requestId + digest.
 */
export class RequestIntake {
  constructor(private readonly deps: RequestServiceDeps & {
    clockSkewSeconds: number;
    maxAgeDays?: number;
  }) {}

  async submit(der: Buffer, client: ClientIdentity): Promise<IntakeResult> {
    const { verifier, registry, store, log, sealer, clock } = this.deps;
    const now = clock();
    let signerFp: string | undefined;
    let refusedRole: Role | undefined;
    let digest: string | undefined;
    let sd: SignedDocument<RequestDoc>;
    let role: 'investigator' | 'first_head';
    try {
      sd = await verifier.openFresh(der, 'request', (d, s) => {
        refusedRole = registry.identify({ iin: s.subject.iin, bin: s.subject.bin })?.roles[0];
        digest = d;
        signerFp = s.fingerprint;
      });
      role = checkRequestSigner(sd);
      if (client.participant.organisation.bin !== sd.doc.body.bin) {
        throw new Art50Error('participant.client_mismatch', `the TLS client belongs to ${client.participant.organisation.bin}, not to the requesting body ${sd.doc.body.bin}`);
      }
      checkRequestContent(sd.doc, registry, now, this.deps.clockSkewSeconds, this.deps.maxAgeDays);
    } catch (e) {
      // A refusal of a document whose signature verified is an auditable event; garbage is not.
      // 5xx (store unreachable, busy) says nothing about the document: not a refusal to record.
      if (e instanceof Art50Error && e.status < 500 && digest && signerFp) {
        await log.appendStandalone({ event: 'request.refused', code: e.code, digests: { request: digest }, ...(refusedRole ? { actor: { fingerprint: signerFp, role: refusedRole } } : {}) });
      }
      throw e;
    }
    const { doc } = sd;
    const body = registry.organisation(doc.body.bin);
    const receivedAt = now.toISOString();
    const template = log.template({
      event: 'request.received',
      time: receivedAt,
      requestId: doc.requestId,
      digests: { request: sd.digest },
      actor: { fingerprint: sd.signer.fingerprint, role },
      article: doc.case.article,
      body: doc.body.bin,
      region: body?.region ?? 'unknown',
      subjectKey: log.subjectKey(subjectIdentifier(doc.subject)),
    });
    const outcome = await store.intake({
      view: {
        requestId: doc.requestId,
        digest: sd.digest,
        bodyBin: doc.body.bin,
        erdrNumber: doc.case.erdrNumber,
        article: doc.case.article,
        region: body?.region ?? 'unknown',
        deadlineHours: doc.deadlineHours ?? MAX_DEADLINE_HOURS,
        banks: doc.banks,
        createdAt: doc.createdAt,
        receivedAt,
        signerFingerprint: sd.signer.fingerprint,
        scope: JSON.stringify(doc.scope),
      },
      cms: sd.cms, // DER, also when the request was posted as PEM
      entryTemplate: template,
      receivedAtMs: now.getTime(),
    });
    if (outcome.kind === 'conflict') {
      throw new Art50Error('request.conflict', `requestId ${doc.requestId} was already used for a different document; choose a new requestId`, { field: '/requestId' });
    }
    // The receipt carries the log index, so it is sealed after the script; first writer wins.
    const receipt = outcome.receipt ?? (await store.setReceipt(doc.requestId, 'receipt', sealer.seal({
      event: 'request.received',
      logIndex: outcome.logIndex,
      time: outcome.receivedAt,
      requestId: doc.requestId,
      digest: sd.digest,
      receivedAt: outcome.receivedAt,
    })));
    return {
      outcome: outcome.kind === 'stored' ? 'stored' : 'replayed',
      body: { requestId: doc.requestId, digest: sd.digest, state: outcome.state, receipt: receipt.toString('base64'), logIndex: outcome.logIndex },
    };
  }
}
