import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiClient } from '../client/api-client';
import { isApiError } from '../client/api-client';
import type { ClientTrust } from '../client/trust';
import { signCms } from '../cms/sign';
import type { SigningIdentity } from '../cms/types';
import type { DeliveryBundle } from '../delivery/bundle';
import type { CoreBanking } from '../demo/core-banking/types';
import type { StatementDoc } from '../documents/types';
import type { Registry } from '../participants/registry';
import type { OrganisationEntry } from '../participants/types';
import { joinSealedUpload, sealStatement } from '../statements/sealed';
import { bankOrganisation, DeliveryRejected, verifyDelivery, type VerifiedDelivery } from './delivery-check';
import { buildStatement } from './statement-builder';

/**
 * The reference bank back-office: a client of the public API only (inbox, ack, POST /v1/statements)
 * plus, in push mode, a small HTTPS endpoint the gateway POSTs delivery bundles to
 * (./push-server.ts). It checks what it receives as a real bank must before it opens its books
 * (./delivery-check.ts), answers from its core banking system (./statement-builder.ts) and keeps
 * what it received and sent. Accounts come from the demo core banking system.
 */

export interface ReferenceBankOptions {
  api: ApiClient;
  /** The bank system's signing identity (certificate + key); also its TLS client identity in `api`. */
  identity: SigningIdentity;
  registry: Registry;
  /** Path validation + registry + schema (client/trust loadClientTrust or clientTrust). */
  trust: ClientTrust;
  core: CoreBanking;
  /** Where to keep what was received and answered (request/sanction/statement .p7s); none when absent. */
  dataDir?: string;
  /** Acknowledge but never answer (to show overdue). */
  ignoreRequests?: boolean;
  clock?: () => Date;
  log?: (line: string) => void;
}

export type HandleOutcome =
  | { deliveryId: string; requestId: string; outcome: 'answered'; result: StatementDoc['result']; statementId: string; accounts: number; movements: number }
  | { deliveryId: string; requestId: string; outcome: 'acknowledged' ; note: string }
  | { deliveryId: string; requestId: string; outcome: 'duplicate' }
  | { deliveryId: string; requestId: string; outcome: 'rejected'; code: string; detail: string };

export class ReferenceBank {
  readonly org: OrganisationEntry;
  private readonly handled = new Map<string, Promise<HandleOutcome>>();
  private readonly clock: () => Date;
  private readonly log: (line: string) => void;

  constructor(private readonly o: ReferenceBankOptions) {
    this.org = bankOrganisation(o.registry, o.identity.cert);
    this.clock = o.clock ?? (() => new Date());
    this.log = o.log ?? (() => undefined);
  }

  get bic(): string {
    return this.org.bic!;
  }

  /** The checks a bank makes before it answers (./delivery-check.ts); throws DeliveryRejected. */
  verify(bundle: DeliveryBundle): VerifiedDelivery {
    return verifyDelivery(bundle, { trust: this.o.trust, registry: this.o.registry, bic: this.bic, clock: this.clock });
  }

  /** The statement for a verified delivery: exactly the requested scope, from the core system. */
  buildStatement(v: VerifiedDelivery): StatementDoc {
    return buildStatement(v, this.org, this.o.core, this.clock());
  }

  /**
   * One delivery, end to end: verify, acknowledge (pull mode only; in push mode the 2xx of the push
   * was the acknowledgment), build, sign and post the statement. The same deliveryId is handled once.
   */
  handle(bundle: DeliveryBundle, opts: { ack?: boolean } = {}): Promise<HandleOutcome> {
    const key = typeof bundle?.deliveryId === 'string' ? bundle.deliveryId : '';
    const seen = this.handled.get(key);
    if (seen) return seen.then(() => ({ deliveryId: key, requestId: bundle.requestId, outcome: 'duplicate' as const }));
    let v: VerifiedDelivery;
    try {
      v = this.verify(bundle);
    } catch (e) {
      if (!(e instanceof DeliveryRejected)) throw e;
      this.log(`REJECTED ${key}: ${e.code}: ${e.detail}`);
      this.save(bundle.requestId, { 'rejected.txt': Buffer.from(`${e.code}: ${e.detail}\n`) });
      return Promise.resolve({ deliveryId: key, requestId: String(bundle?.requestId ?? ''), outcome: 'rejected', code: e.code, detail: e.detail });
    }
    const p = this.answer(v, opts.ack ?? true);
    this.handled.set(key, p);
    p.catch(() => this.handled.delete(key));
    return p;
  }

  /** Answers an already verified delivery (the push endpoint verifies before it says 202). */
  answerVerified(v: VerifiedDelivery, opts: { ack?: boolean } = {}): Promise<HandleOutcome> {
    const key = v.bundle.deliveryId;
    const seen = this.handled.get(key);
    if (seen) return seen.then(() => ({ deliveryId: key, requestId: v.request.requestId, outcome: 'duplicate' as const }));
    const p = this.answer(v, opts.ack ?? false);
    this.handled.set(key, p);
    p.catch(() => this.handled.delete(key));
    return p;
  }

  /** One pass over the inbox: every delivery handled (and acknowledged), in order. */
  async pollOnce(limit = 50): Promise<HandleOutcome[]> {
    const { items } = await this.o.api.inbox(limit);
    const out: HandleOutcome[] = [];
    for (const item of items) out.push(await this.handle(item, { ack: true }));
    return out;
  }

  private async answer(v: VerifiedDelivery, ack: boolean): Promise<HandleOutcome> {
    const { deliveryId } = v.bundle;
    const requestId = v.request.requestId;
    this.save(requestId, { 'request.p7s': v.requestDer, 'sanction.p7s': v.sanctionDer, ...(v.bundle.receipt ? { 'delivery-receipt.p7s': Buffer.from(v.bundle.receipt, 'base64') } : {}) });
    if (ack) await this.o.api.ack(deliveryId);
    if (this.o.ignoreRequests) {
      this.log(`${deliveryId}: acknowledged, not answering (--ignore-requests)`);
      return { deliveryId, requestId, outcome: 'acknowledged', note: 'ignoring requests' };
    }
    const statement = this.buildStatement(v);
    const bytes = Buffer.from(JSON.stringify(statement, null, 2), 'utf8');
    const der = signCms(bytes, this.o.identity);
    this.save(requestId, { 'statement.json': bytes, 'statement.p7s': der });
    // Encrypted to the requesting body when it has an encryption certificate: the gateway then sees the signed header only.
    let upload = der;
    if (v.recipient) {
      const sealed = sealStatement({ signed: der, recipient: v.recipient, signer: this.o.identity, deliveryId });
      this.save(requestId, { 'statement-header.p7s': sealed.header, 'statement.p7e': sealed.ciphertext });
      upload = joinSealedUpload(sealed);
    }
    try {
      const posted = await this.o.api.postStatement(upload);
      if (posted.receipt) this.save(requestId, { 'statement.receipt.p7s': Buffer.from(posted.receipt, 'base64') });
    } catch (e) {
      if (isApiError(e) && e.code === 'statement.conflict') {
        this.log(`${deliveryId}: already answered (${e.detail})`);
      } else if (isApiError(e) && e.status === 404 && e.code === 'http.not_found') {
        this.log(`${deliveryId}: acknowledged; the gateway has no POST /v1/statements yet`);
        return { deliveryId, requestId, outcome: 'acknowledged', note: 'POST /v1/statements is not available' };
      } else {
        throw e;
      }
    }
    const accounts = statement.accounts ?? [];
    const movements = accounts.reduce((n, a) => n + (a.movements?.length ?? 0), 0);
    this.log(`${deliveryId}: answered ${statement.result}${statement.reason ? ` (${statement.reason})` : ''}, ${accounts.length} account(s), ${movements} movement(s), statement ${statement.statementId}${v.recipient ? ', encrypted to the requesting body' : ''}`);
    return { deliveryId, requestId, outcome: 'answered', result: statement.result, statementId: statement.statementId, accounts: accounts.length, movements };
  }

  private save(requestId: string, files: Record<string, Buffer>): void {
    if (!this.o.dataDir) return;
    const safe = /^[0-9a-f-]{36}$/i.test(requestId) ? requestId : 'unknown';
    const dir = join(this.o.dataDir, safe);
    mkdirSync(dir, { recursive: true });
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  }
}
