import { Art50Error } from '../errors';
import { decodeInput, parseSignedData } from '../cms/verify';
import type { SignedDocument } from '../documents/signed-document';
import type { RequestDoc, StatementDoc, StatementHeaderDoc } from '../documents/types';
import type { DocumentVerifier } from '../documents/signed-document';
import { sha256Hex, SealedParts, splitSealedUpload } from './sealed';
import { checkStatementSigner } from '../documents/kinds/statement';
import { checkDelivery, checkPlainAllowed, checkSealedCiphertext, checkStatementBinding, checkStatementClient } from './statement-checks';
import type { ClientIdentity } from '../participants/types';
import type { EventLog } from '../log/event-log';
import type { LogActorRole } from '../log/entry';
import type { Registry } from '../participants/registry';
import type { Participant } from '../participants/types';
import type { ValidatedCertificate } from '../pki/types';
import type { Sealer } from '../receipts/sealer';
import type { RequestStore } from '../requests/store';
import type { StoredRequest } from '../requests/types';
import type { StatementResult, StatementStore } from './store';
import type { OpenedStatement, StatementOpener } from './opener';

/** The answer to POST /v1/statements (the API client shares this type). */
export interface StatementPostedView {
  statementId: string;
  requestId: string;
  digest: string;
  result: StatementResult;
  logIndex: number;
  /** base64 DER of the gateway-sealed statement.received receipt. */
  receipt: string;
  /** The statement this one corrects. */
  corrects?: string;
}

export interface StatementIntakeResult {
  /** Stored now (a first answer or a correction), or the same statement again; the route chooses the HTTP status. */
  outcome: 'stored' | 'replayed';
  body: StatementPostedView;
}

/** The request document as stored: its signature was verified at intake, so only its content is read. */
export function storedRequestDoc(cms: Buffer): RequestDoc {
  return JSON.parse(parseSignedData(decodeInput(cms)).content!.toString('utf8')) as RequestDoc;
}

/**
 * What is stored of a statement: the binding fields, its document digest and signer, and the bytes
 * kept — the bank-signed CMS of a plain statement, or the ciphertext plus the signed header.
 */
interface StoredForm extends Pick<SignedDocument<StatementDoc>, 'digest' | 'signer' | 'participant' | 'cms'> {
  doc: Pick<StatementDoc, 'statementId' | 'requestId' | 'bank' | 'result' | 'corrects'>;
  header?: Buffer;
  /** What the verified header of an encrypted statement says of the content, for the log entry. */
  headerFacts?: Pick<StatementHeaderDoc, 'counts'> & { signedStatement: string };
}

/** What a refusal's log entry can name of a statement whose checks failed midway. */
interface Witness {
  digest?: string;
  signerFp?: string;
  signer?: Participant;
  /** Set once the statement is known to answer a delivery of this request. */
  requestId?: string;
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
      /** Opens the signed header of an encrypted statement (signature, signer path, registry, schema). */
      verifier: DocumentVerifier;
      registry: Registry;
      requests: RequestStore;
      statements: StatementStore;
      log: EventLog;
      sealer: Sealer;
      clock: () => Date;
      /** A statement nobody downloads is deleted this long after it arrived (its digest stays in the log); 0 or absent: kept. */
      unreadRetentionMs?: number;
    },
  ) {}

  async submit(der: Buffer, client: ClientIdentity): Promise<StatementIntakeResult> {
    const sealed = splitSealedUpload(der);
    return sealed ? this.submitSealed(sealed, client) : this.submitPlain(der, client);
  }

  /**
   * An encrypted statement: the signed header is verified like any document and checked against
   * the delivery; the ciphertext only by its digest and its recipient. Stored as posted.
   */
  private async submitSealed(parts: SealedParts, client: ClientIdentity): Promise<StatementIntakeResult> {
    const { verifier, registry } = this.deps;
    const seen: Witness = {};
    let header: SignedDocument<StatementHeaderDoc> | undefined;
    let known: StoredRequest | undefined;
    try {
      header = await verifier.openFresh(parts.header, 'statement-header', this.witness(seen, false));
      const { doc } = header;
      seen.digest = doc.digests.statement;
      known = await this.checkAnswer(header, client, seen);
      checkSealedCiphertext(doc, parts.ciphertext, known, registry);
    } catch (e) {
      await this.logRefusal(e, client, { ...seen, statementId: header?.doc.statementId });
      throw e;
    }
    const { doc } = header;
    return this.store({
      doc: { statementId: doc.statementId, requestId: doc.requestId, bank: doc.bank, result: doc.result, ...(doc.corrects ? { corrects: doc.corrects } : {}) },
      digest: doc.digests.statement,
      signer: header.signer,
      participant: header.participant,
      cms: parts.ciphertext,
      header: parts.header,
      headerFacts: { counts: doc.counts, signedStatement: doc.digests.signedStatement },
    }, known);
  }

  private async submitPlain(der: Buffer, client: ClientIdentity): Promise<StatementIntakeResult> {
    const { opener, registry, requests } = this.deps;
    const seen: Witness = {};
    let sd: SignedDocument<StatementDoc> | undefined;
    let known: StoredRequest | undefined;
    let opened: OpenedStatement | undefined;
    try {
      opened = await opener.open(der, this.witness(seen, true));
      sd = opened.sd;
      const { doc } = sd;
      known = await this.checkAnswer(sd, client, seen);
      checkPlainAllowed(known, registry);
      const { request: requestCms } = await requests.getCms(doc.requestId);
      if (!requestCms) throw new Art50Error('statement.no_delivery', `bank ${doc.bank.bic} has no delivery of request ${doc.requestId} to answer`, { field: '/requestId' });
      await opened.againstRequest(storedRequestDoc(requestCms));
    } catch (e) {
      opened?.release();
      await this.logRefusal(e, client, { ...seen, statementId: sd?.doc.statementId });
      throw e;
    }
    opened.release();
    return this.store(sd, known);
  }

  /** Records, as verification gets that far, what a refusal's log entry names (the statement digest from the CMS when `digest`). */
  private witness(seen: Witness, digest: boolean): (d: string, s: ValidatedCertificate) => void {
    return (d, s) => {
      if (digest) seen.digest = d;
      seen.signerFp = s.fingerprint;
      seen.signer = this.deps.registry.identify({ iin: s.subject.iin, bin: s.subject.bin });
    };
  }

  /** The checks an answer passes, encrypted or not: its signer, the bank posting it, the delivery it answers, its binding. */
  private async checkAnswer(sd: { doc: Pick<StatementDoc, 'bank' | 'requestId' | 'requestDigest'>; participant: Participant }, client: ClientIdentity, seen: Witness): Promise<StoredRequest> {
    const { registry, requests } = this.deps;
    checkStatementSigner(sd, registry);
    checkStatementClient(sd.doc, client.participant);
    const request = await requests.get(sd.doc.requestId);
    const banks = request ? await requests.banks(sd.doc.requestId) : {};
    checkDelivery(sd.doc, request, banks);
    seen.requestId = request!.requestId;
    checkStatementBinding(sd.doc, request!);
    return request!;
  }

  /**
   * A refusal of a statement whose signature verified is an auditable event; garbage is not.
   * 5xx (worker crashed, store unreachable) says nothing about the document: not a refusal to record.
   */
  private async logRefusal(e: unknown, client: ClientIdentity, r: { digest?: string; signerFp?: string; signer?: Participant; statementId?: string; requestId?: string }): Promise<void> {
    if (!(e instanceof Art50Error) || e.status >= 500 || !r.digest || !r.signerFp) return;
    const role = actorRole(r.signer);
    await this.deps.log.appendStandalone({
      event: 'statement.refused',
      code: e.code,
      digests: { statement: r.digest },
      ...(role ? { actor: { fingerprint: r.signerFp, role } } : {}),
      // The bank that posted it (TLS client), not the one the document claims to be.
      ...(client.participant.organisation.bic ? { bank: client.participant.organisation.bic } : {}),
      ...(r.statementId ? { statementId: r.statementId } : {}),
      ...(r.requestId ? { requestId: r.requestId } : {}),
    });
  }

  private async store(sd: StoredForm, request: StoredRequest): Promise<StatementIntakeResult> {
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
      result: doc.result,
      // An encrypted statement's entry also carries what its signed header says of the content the
      // gateway cannot read: the counts and the digest of the bank-signed statement inside.
      digests: { request: request.digest, statement: sd.digest, ...(sd.header ? { ciphertext: sha256Hex(sd.cms) } : {}), ...(sd.headerFacts ? { signedStatement: sd.headerFacts.signedStatement } : {}) },
      ...(sd.headerFacts ? { counts: sd.headerFacts.counts } : {}),
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
      ...(sd.header ? { header: sd.header } : {}),
      ...(this.deps.unreadRetentionMs ? { unreadExpiresAt: now.getTime() + this.deps.unreadRetentionMs } : {}),
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
      outcome: out.kind === 'replay' ? 'replayed' : 'stored',
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
