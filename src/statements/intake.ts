import { Art50Error } from '../errors';
import { decodeInput, parseSignedData } from '../cms/verify';
import type { SignedDocument } from '../documents/signed-document';
import type { RequestDoc, StatementDoc } from '../documents/types';
import type { ClientIdentity } from '../participants/types';
import type { EventLog } from '../log/event-log';
import type { LogActorRole } from '../log/entry';
import type { Registry } from '../participants/registry';
import type { Participant } from '../participants/types';
import type { Sealer } from '../receipts/sealer';
import type { RequestStore } from '../requests/store';
import type { BankDelivery, StoredRequest } from '../requests/types';
import type { StatementStore } from './store';
import type { OpenedStatement, StatementOpener } from './opener';

export interface StatementIntakeResult {
  status: 200 | 201;
  body: { statementId: string; requestId: string; digest: string; result: string; logIndex: number; receipt: string; corrects?: string };
}

/** Bank states in which a delivery may be answered (first answer); answered ones only by correction. */
const ANSWERABLE = new Set(['delivered', 'acknowledged', 'overdue', 'answered', 'refused_by_bank']);


/**
 * The signer is the bank named in `bank.bic`: its system certificate (role bank) or one of its
 * officers (role bank_officer). `bank.bin` must be that bank's BIN in the registry.
 */
export function checkStatementSigner(sd: Pick<SignedDocument<StatementDoc>, 'doc' | 'participant'>, registry: Registry): void {
  const { doc, participant } = sd;
  const bank = registry.bankByBic(doc.bank.bic);
  if (!bank) throw new Art50Error('document.unknown_bank', `bank ${doc.bank.bic} is not a registered bank`, { field: '/bank/bic' });
  if (bank.bin !== doc.bank.bin) {
    throw new Art50Error('participant.wrong_bank', `bank.bin ${doc.bank.bin} is not the BIN of ${doc.bank.bic} in the registry`, { field: '/bank/bin' });
  }
  if (participant.organisation.kind !== 'bank' || participant.organisation.bin !== bank.bin) {
    throw new Art50Error('participant.wrong_bank', `the signer belongs to ${participant.organisation.name}, not to bank ${doc.bank.bic} named in the statement`, { field: '/bank/bic' });
  }
  if (!participant.roles.some((r) => r === 'bank' || r === 'bank_officer')) {
    throw new Art50Error('participant.role', 'a statement must be signed by the bank system certificate or a bank officer');
  }
}

/** The TLS client posting the statement is the bank the statement names. */
export function checkStatementClient(doc: StatementDoc, client: Participant): void {
  if (client.organisation.kind !== 'bank' || client.organisation.bic !== doc.bank.bic) {
    throw new Art50Error('participant.wrong_bank', `the TLS client is ${client.organisation.name}, not bank ${doc.bank.bic} named in the statement`, { field: '/bank/bic' });
  }
}

/**
 * The bank has a delivery of this request it may answer. An unknown request gets the same answer
 * as a request this bank was not asked: a bank does not learn which requests exist.
 */
export function checkDelivery(doc: StatementDoc, request: StoredRequest | undefined, banks: Record<string, BankDelivery>): BankDelivery {
  const delivery = request ? banks[doc.bank.bic] : undefined;
  if (!delivery || !ANSWERABLE.has(delivery.state)) {
    throw new Art50Error('statement.no_delivery', `bank ${doc.bank.bic} has no delivery of request ${doc.requestId} to answer`, { field: '/requestId' });
  }
  return delivery;
}

/** requestDigest binds the statement to exactly the request version the bank received. */
export function checkStatementBinding(doc: StatementDoc, request: Pick<StoredRequest, 'digest'>): void {
  if (doc.requestDigest !== request.digest) {
    throw new Art50Error('statement.digest_mismatch', 'requestDigest is not the digest of the request delivered to this bank', { field: '/requestDigest' });
  }
}

/** The request document as stored: its signature was verified at intake, so only its content is read. */
export function storedRequestDoc(cms: Buffer): RequestDoc {
  return JSON.parse(parseSignedData(decodeInput(cms)).content!.toString('utf8')) as RequestDoc;
}

function actorRole(p: Participant | undefined): LogActorRole | undefined {
  return p?.roles.find((r): r is 'bank' | 'bank_officer' => r === 'bank' || r === 'bank_officer') ?? p?.roles[0];
}

/**
 * POST /v1/statements: verify the bank's signature and binding, check the answer against what was
 * asked, store it with its log entry (statement.received) and seal a receipt. Idempotent on
 * statementId + digest; corrections name the statement they replace in `corrects`.
 */
export class StatementIntake {
  constructor(
    private readonly deps: {
      /** Signature, signer path, registry and schema: inline for small statements, in a worker for large ones. */
      opener: StatementOpener;
      registry: () => Registry;
      requests: RequestStore;
      statements: StatementStore;
      log: EventLog;
      sealer: Sealer;
      clock: () => Date;
    },
  ) {}

  async submit(der: Buffer, client: ClientIdentity): Promise<StatementIntakeResult> {
    const { opener, registry, requests, log } = this.deps;
    let digest: string | undefined;
    let signerFp: string | undefined;
    let signer: Participant | undefined;
    let sd: SignedDocument<StatementDoc> | undefined;
    let known: StoredRequest | undefined;
    let opened: OpenedStatement | undefined;
    try {
      opened = await opener.open(der, (d, s) => {
        digest = d;
        signerFp = s.fingerprint;
        signer = registry().identify({ iin: s.subject.iin, bin: s.subject.bin });
      });
      sd = opened.sd;
      const { doc } = sd;
      checkStatementSigner(sd, registry());
      checkStatementClient(doc, client.participant);
      const request = await requests.get(doc.requestId);
      const banks = request ? await requests.banks(doc.requestId) : {};
      checkDelivery(doc, request, banks);
      known = request!;
      checkStatementBinding(doc, known);
      const { request: requestCms } = await requests.getCms(doc.requestId);
      if (!requestCms) throw new Art50Error('statement.no_delivery', `bank ${doc.bank.bic} has no delivery of request ${doc.requestId} to answer`, { field: '/requestId' });
      await opened.againstRequest(storedRequestDoc(requestCms));
    } catch (e) {
      opened?.release();
      // A refusal of a statement whose signature verified is an auditable event; garbage is not.
      // 5xx (worker crashed, store unreachable) says nothing about the document: not a refusal to record.
      if (e instanceof Art50Error && e.status < 500 && digest && signerFp) {
        const role = actorRole(signer);
        await log.appendStandalone({
          event: 'statement.refused',
          code: e.code,
          digests: { statement: digest },
          ...(role ? { actor: { fingerprint: signerFp, role } } : {}),
          // The bank that posted it (TLS client), not the one the document claims to be.
          ...(client.participant.organisation.bic ? { bank: client.participant.organisation.bic } : {}),
          ...(sd ? { statementId: sd.doc.statementId } : {}),
          ...(known ? { requestId: known.requestId } : {}),
        });
      }
      throw e;
    }
    opened.release();
    return this.store(sd, known);
  }

  private async store(sd: SignedDocument<StatementDoc>, request: StoredRequest): Promise<StatementIntakeResult> {
    const { statements, log, sealer, clock } = this.deps;
    const { doc } = sd;
    const now = clock();
    const receivedAt = now.toISOString();
    const template = log.template({
      event: 'statement.received',
      time: receivedAt,
      requestId: doc.requestId,
      statementId: doc.statementId,
      bank: doc.bank.bic,
      digests: { request: request.digest, statement: sd.digest },
      actor: { fingerprint: sd.signer.fingerprint, role: actorRole(sd.participant) === 'bank_officer' ? 'bank_officer' : 'bank' },
    });
    const out = await statements.answer({
      requestId: doc.requestId,
      bic: doc.bank.bic,
      statementId: doc.statementId,
      digest: sd.digest,
      result: doc.result,
      ...(doc.corrects ? { corrects: doc.corrects } : {}),
      now,
      template,
      cms: sd.cms,
    });
    switch (out.kind) {
      case 'no_delivery':
        throw new Art50Error('statement.no_delivery', `bank ${doc.bank.bic} has no delivery of request ${doc.requestId} to answer`, { field: '/requestId' });
      case 'conflict':
        throw new Art50Error('statement.conflict', doc.corrects
          ? `statementId ${doc.statementId} was already used for a different document`
          : `another statement already answers this delivery (or statementId ${doc.statementId} was used for a different document); to replace it, send a new statement with corrects = the current statementId`, { field: '/statementId' });
      case 'bad_correction':
        throw new Art50Error('statement.conflict', `corrects names ${doc.corrects}, which is not the current statement of this delivery`, { field: '/corrects' });
      default:
        break;
    }
    let receipt = await statements.getReceipt(doc.statementId);
    if (!receipt) {
      const stored = await statements.get(doc.statementId);
      receipt = await statements.setReceipt(
        doc.statementId,
        sealer.seal({
          event: 'statement.received',
          logIndex: out.logIndex,
          time: stored?.receivedAt ?? receivedAt,
          requestId: doc.requestId,
          statementId: doc.statementId,
          digest: sd.digest,
          bank: doc.bank.bic,
        }),
      );
    }
    return {
      status: out.kind === 'replay' ? 200 : 201,
      body: {
        statementId: doc.statementId,
        requestId: doc.requestId,
        digest: sd.digest,
        result: doc.result,
        logIndex: out.logIndex,
        receipt: receipt.toString('base64'),
        ...(doc.corrects ? { corrects: doc.corrects } : {}),
      },
    };
  }
}
