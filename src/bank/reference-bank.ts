import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import type { ApiClient } from '../client/api-client';
import { isApiError } from '../client/api-client';
import type { ClientTrust } from '../client/documents';
import { signCms } from '../cms/sign';
import type { SigningIdentity } from '../cms/types';
import type { DeliveryBundle } from '../delivery/bundle';
import { createCoreBanking, demoMoneyTrail, type CoreBanking, type PeerBank } from '../delivery/demo-core-banking';
import type { RequestDoc, SanctionDoc, StatementDoc } from '../documents/types';
import { requestSignerRole } from '../participants/request-signer';
import { isArt50Error } from '../errors';
import type { Registry } from '../participants/registry';
import type { OrganisationEntry } from '../participants/types';
import { ncaSubject } from '../pki/cert-info';
import { joinSealedUpload, sealStatement } from '../statements/sealed';

/**
 * The reference bank back-office: a client of the public API only (inbox, ack, POST /v1/statements)
 * plus, in push mode, a small HTTPS endpoint the gateway POSTs delivery bundles to. It checks what
 * it receives as a real bank must before it opens its books: both signatures with path validation
 * to the trust root, the signers' roles, and that the sanction is granted, valid now, and bound to
 * exactly this request's digest. Accounts come from the demo core banking system.
 */

export interface ReferenceBankOptions {
  api: ApiClient;
  /** The bank system's signing identity (certificate + key); also its TLS client identity in `api`. */
  identity: SigningIdentity;
  registry: Registry;
  /** Path validation + registry + schema (client/documents loadClientTrust or clientTrust). */
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

/** The bank's organisation entry from its certificate's OU BIN. */
export function bankOrganisation(registry: Registry, cert: X509Certificate): OrganisationEntry {
  const bin = ncaSubject(cert).bin;
  const org = bin ? registry.organisation(bin) : undefined;
  if (!org || org.kind !== 'bank' || !org.bic) throw new Error(`the certificate (OU BIN ${bin ?? '?'}) is not a bank in the participant registry`);
  return org;
}

/** Demo core banking for the bank behind `cert`: its BIC/BIN/IBAN code from the registry, the other banks as peers, the demo money trail planted. */
export function demoCoreFor(registry: Registry, cert: X509Certificate, opts: { seed?: number; trail?: boolean } = {}): CoreBanking {
  const org = bankOrganisation(registry, cert);
  const peers: PeerBank[] = registry.banks().filter((b) => b.bic !== org.bic && b.ibanCode).map((b) => ({ bic: b.bic!, ibanCode: b.ibanCode! }));
  const core = createCoreBanking({ seed: opts.seed ?? 50, bank: { bic: org.bic!, bin: org.bin, ibanCode: org.ibanCode ?? '000' }, peers });
  if (opts.trail !== false) core.seedCase(demoMoneyTrail());
  return core;
}

/** A UUID (version 8, RFC 9562 custom) derived from text: the same delivery always gets the same statementId. */
function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** RFC 3339 with the Kazakhstan offset (+05:00), as banks write times. */
function kzTime(d: Date): string {
  const local = new Date(d.getTime() + 5 * 3600_000).toISOString().slice(0, 19);
  return `${local}+05:00`;
}

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

  /**
   * Checks a bundle: request and sanction CMS (signature, path, registry, schema), the request's
   * signer is an investigator/head of the named body, the sanction's signer a prosecutor of an
   * office supervising that body, and the sanction names this request and its digest. Throws
   * DeliveryRejected when the documents themselves cannot be trusted. A bundle whose documents
   * verify but do not allow an answer (refused or expired sanction, bank not addressed) comes back
   * with `refusal` set: the bank answers "refused" with that reason.
   */
  verify(bundle: DeliveryBundle): VerifiedDelivery {
    if (!bundle || typeof bundle.deliveryId !== 'string' || typeof bundle.request !== 'string' || typeof bundle.sanction !== 'string') {
      throw new DeliveryRejected('bundle.malformed', 'the delivery bundle lacks deliveryId, request or sanction');
    }
    const requestDer = Buffer.from(bundle.request, 'base64');
    const sanctionDer = Buffer.from(bundle.sanction, 'base64');
    const open = <K extends 'request' | 'sanction'>(der: Buffer, kind: K) => {
      try {
        return this.o.trust.open(der, kind);
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
    const v: VerifiedDelivery = { bundle, request, requestDer, sanctionDer, digest: req.digest, ...this.recipientOf(bundle, request) };
    const now = this.clock().getTime();
    if (sanction.requestDigest !== req.digest) v.refusal = `the sanction is bound to request digest ${sanction.requestDigest}, not to this request (${req.digest})`;
    else if (sanction.requestId !== request.requestId) v.refusal = 'the sanction names another request';
    else if (sanction.case.erdrNumber !== request.case.erdrNumber) v.refusal = 'the sanction names another case';
    else if (!this.o.registry.supervises(san.participant.organisation.bin, request.body.bin)) v.refusal = 'the sanctioning prosecutor\'s office does not supervise the requesting body';
    else if (sanction.decision !== 'granted') v.refusal = 'the prosecutor refused the sanction';
    else if (Date.parse(sanction.issuedAt) > now + 300_000) v.refusal = 'the sanction is not yet valid';
    else if (Date.parse(sanction.validUntil) < san.signingTime.getTime()) v.refusal = 'the sanction had expired when it was signed';
    else if (request.banks !== 'all' && !request.banks.includes(this.bic)) v.refusal = `the request is not addressed to ${this.bic}`;
    return v;
  }

  /**
   * The encryption certificate the bundle hands over must chain to the trust root, allow
   * keyEncipherment and belong to the requesting body (OU BIN); when the bank's own registry lists
   * the body's certificate, it must be that one. A bank never encrypts bank secrets to a key the
   * gateway could have swapped in.
   */
  private recipientOf(bundle: DeliveryBundle, request: RequestDoc): { recipient?: X509Certificate } {
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
      this.o.trust.validator.validate(cert, { purpose: 'encryption' });
    } catch (e) {
      reject(`is refused: ${isArt50Error(e) ? e.detail : (e as Error).message}`);
    }
    if (ncaSubject(cert).bin !== request.body.bin) reject(`belongs to BIN ${ncaSubject(cert).bin ?? '?'}, not to the requesting body ${request.body.bin}`);
    const listed = this.o.registry.encryptionCertificate(request.body.bin);
    if (listed && listed.fingerprint256 !== cert.fingerprint256) reject('is not the one the participant registry lists for the requesting body');
    return { recipient: cert };
  }

  /** The statement for a verified delivery: exactly the requested scope, from the core system. */
  buildStatement(v: VerifiedDelivery): StatementDoc {
    const base = {
      type: 'statement' as const,
      version: 1 as const,
      statementId: uuidFrom(`${this.bic}|${v.bundle.deliveryId}|${v.digest}`),
      requestId: v.request.requestId,
      requestDigest: v.digest,
      bank: { bic: this.bic, bin: this.org.bin },
      subject: { iin: v.request.subject.iin },
      generatedAt: kzTime(this.clock()),
    };
    if (v.refusal) return { ...base, result: 'refused', reason: v.refusal.slice(0, 2000) };
    const { accounts } = this.o.core.lookup(v.request.subject.iin, v.request.scope);
    return accounts.length > 0 ? { ...base, result: 'found', accounts } : { ...base, result: 'not_found' };
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

// ---------------------------------------------------------------------------------------------
// Push endpoint

export interface PushServerOptions {
  bank: ReferenceBank;
  /** Server certificate and key (PEM): the bank system certificate. */
  cert: Buffer | string;
  key: Buffer | string;
  /** Trust root(s) (PEM) client certificates must chain to. */
  ca: Buffer | string;
  trust: ClientTrust;
  port?: number;
  host?: string;
  /** Default /art50/deliveries. */
  path?: string;
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface PushServer {
  port: number;
  /** Stops accepting, then waits until every queued delivery is answered. */
  close(): Promise<void>;
  /** Resolves when every queued delivery so far is answered (tests). */
  idle(): Promise<void>;
}

function problem(res: ServerResponse, status: number, code: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: `urn:art50:problem:${code}`, title: code, status, code, detail }));
}

/**
 * The bank's push endpoint. TLS demands a client certificate chaining to `ca`; the handler then
 * validates it with CRLs (purpose tls-client) and accepts only the gateway's organisation (registry
 * kind "gateway"). A bundle is verified before the 202, then queued; the statement follows
 * asynchronously through POST /v1/statements.
 */
export async function startPushServer(o: PushServerOptions): Promise<PushServer> {
  const path = o.path ?? '/art50/deliveries';
  const log = o.log ?? (() => undefined);
  const limit = o.maxBodyBytes ?? 16 * 1024 ** 2;
  let queue: Promise<unknown> = Promise.resolve();
  const server: Server = createServer({ cert: o.cert, key: o.key, ca: o.ca, requestCert: true, rejectUnauthorized: true }, (req: IncomingMessage, res: ServerResponse) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate?.(true);
    try {
      if (!peer?.raw) throw new Error('no client certificate');
      const cert = new X509Certificate(peer.raw);
      const issuers = peer.issuerCertificate && peer.issuerCertificate !== peer ? [new X509Certificate(peer.issuerCertificate.raw)] : [];
      const checked = o.trust.validator.validate(cert, { purpose: 'tls-client', intermediates: issuers });
      const who = o.trust.registry.identify({ ...(checked.subject.bin ? { bin: checked.subject.bin } : {}) });
      if (who?.organisation.kind !== 'gateway') {
        problem(res, 403, 'auth.forbidden', 'only the art50 gateway may push deliveries here');
        req.resume();
        return;
      }
    } catch (e) {
      problem(res, 403, 'auth.client_cert_untrusted', `client certificate refused: ${isArt50Error(e) ? e.detail : (e as Error).message}`);
      req.resume();
      return;
    }
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== path) {
      problem(res, 404, 'http.not_found', `POST ${path} only`);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) return problem(res, 413, 'http.body_too_large', `the body is larger than ${limit} bytes`);
      let bundle: DeliveryBundle;
      try {
        bundle = JSON.parse(Buffer.concat(chunks).toString('utf8')) as DeliveryBundle;
      } catch {
        return problem(res, 400, 'http.bad_json', 'the body is not JSON');
      }
      let v: VerifiedDelivery;
      try {
        v = o.bank.verify(bundle);
      } catch (e) {
        if (e instanceof DeliveryRejected) {
          log(`push REJECTED ${String(bundle?.deliveryId)}: ${e.code}: ${e.detail}`);
          return problem(res, 422, e.code, e.detail);
        }
        log(`push failed: ${(e as Error).message}`);
        return problem(res, 500, 'http.internal', 'the bank could not take the delivery');
      }
      queue = queue.then(() => o.bank.answerVerified(v, { ack: false })).catch((e: unknown) => log(`answering ${v.bundle.deliveryId} failed: ${(e as Error).message}`));
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ deliveryId: v.bundle.deliveryId, accepted: true }));
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const idle = async (): Promise<void> => {
    let before: Promise<unknown>;
    do {
      before = queue;
      await before;
    } while (before !== queue);
  };
  return {
    port,
    idle,
    close: async () => {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeIdleConnections?.();
      });
      await idle();
    },
  };
}
