import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signCms } from '../../cms/sign';
import type { SigningIdentity } from '../../cms/types';
import { ApiError } from '../../client/api-client';
import type { ApiClient, PendingItem, RequestStatusView, SanctionResult } from '../../client/api-client';
import { connect, CONNECTION_HELP, table, trustFor, UsageError } from '../../client/cli';
import { clientAction } from '../client-action';
import { identityFlags, IdentityFlags, openIdentity } from '../identity';
import type { ClientTrust } from '../../client/trust';
import type { RequestDoc, SanctionDecision, SanctionDoc } from '../../documents/types';
import { Art50Error, isArt50Error } from '../../errors';
import { ncaSubject } from '../../pki/cert-info';
import type { SetExit } from '../set-exit';
import type { ConnectionOptions } from '../../client/cli';
import { describeSubject } from '../../documents/subject';


type Conn = ConnectionOptions & IdentityFlags;

/** A request as the prosecutor's side verified it; `item` is what the gateway says of it. */
export interface RequestView<I extends Pick<PendingItem, 'requestId' | 'digest' | 'receivedAt'> = Pick<PendingItem, 'requestId' | 'digest' | 'receivedAt'>> {
  item: I;
  request?: RequestDoc;
  signer?: string;
  /** Set when the request CMS does not verify on this side. */
  invalid?: string;
}

export type PendingView = RequestView<PendingItem>;

/** Verifies a request CMS locally (signature, path, registry, schema) and that it is the digest the gateway reports. */
function verifiedRequest<I extends Pick<PendingItem, 'requestId' | 'digest' | 'receivedAt'>>(trust: ClientTrust, item: I, der: Buffer): RequestView<I> {
  try {
    const sd = trust.open(der, 'request');
    if (sd.digest !== item.digest) throw new Art50Error('sanction.digest_mismatch', `the gateway reports digest ${item.digest}, the request's is ${sd.digest}`);
    if (sd.doc.requestId.toLowerCase() !== item.requestId.toLowerCase()) throw new Art50Error('sanction.request_mismatch', `the gateway sent request ${sd.doc.requestId} for ${item.requestId}`);
    return { item, request: sd.doc, signer: `${sd.participant.person?.name ?? sd.signer.subject.cn ?? '?'} (${sd.participant.roles.join(', ')})` };
  } catch (e) {
    if (!isArt50Error(e)) throw e;
    return { item, invalid: `${e.code}: ${e.detail}` };
  }
}

/** The pending list with every request verified locally (signature, path, registry, schema, digest). */
export async function pendingRequests(api: ApiClient, trust: ClientTrust, limit = 1000): Promise<PendingView[]> {
  const { items } = await api.pending(limit);
  return items.map((item) => verifiedRequest(trust, item, Buffer.from(item.request, 'base64')));
}

/**
 * One request the office may see, in any state (pending, sanctioned, refused, answered): its status
 * with the signed document from GET /v1/requests/{id}?include=request, verified locally. The
 * gateway decides visibility: a request of a body the office does not supervise is not found.
 */
export async function requestForProsecutor(api: ApiClient, trust: ClientTrust, requestId: string): Promise<RequestView<RequestStatusView>> {
  const status = await api.status(requestId, { includeRequest: true });
  if (!status.request) return { item: status, invalid: 'the gateway sent no request document' };
  return verifiedRequest(trust, status, Buffer.from(status.request, 'base64'));
}

/** Where a request stands, for `prosecutor show`: the state, the sanction, each bank. */
export function formatProgress(s: RequestStatusView): string {
  const d = s.decision;
  const lines = [`state:     ${s.state}`];
  if (d) lines.push(`sanction:  ${d.decision}${d.decidedAt ? ` at ${d.decidedAt}` : ''}${d.reason ? ` — ${d.reason}` : ''}`);
  for (const b of s.banks) lines.push(`bank ${b.bic}: ${b.state}${b.result ? ` (${b.result})` : ''}${b.overdue ? ', overdue' : ''}`);
  return lines.join('\n') + '\n';
}

/** The whole request as a prosecutor reads it before deciding: case, subject, scope, banks, signer, verdict. */
export function formatRequest(v: RequestView): string {
  if (!v.request) return `request:  ${v.item.requestId}\nverdict:  DOES NOT VERIFY ${v.invalid ?? ''}\n`;
  const r = v.request;
  const lines = [
    `request:   ${r.requestId} (digest ${v.item.digest})`,
    `received:  ${v.item.receivedAt}`,
    `case:      ERDR ${r.case.erdrNumber}, article ${r.case.article}${r.case.description ? ` — ${r.case.description}` : ''}`,
    `body:      ${r.body.name} (BIN ${r.body.bin})`,
    `signed by: ${v.signer ?? '?'}, ${r.signer.name}, ${r.signer.position ?? ''} (IIN ${r.signer.iin})`,
    `subject:   ${r.subject.name ?? '-'} (${describeSubject(r.subject)})${r.subject.knownIbans?.length ? `, known accounts ${r.subject.knownIbans.join(', ')}` : ''}`,
    `scope:     ${scopeText(r)}`,
    `banks:     ${r.banks === 'all' ? 'all registered banks' : r.banks.join(', ')}`,
    `deadline:  ${r.deadlineHours ?? 72} h from delivery`,
    'verdict:   signature, certificate path, revocation, registry role and schema verified locally',
  ];
  return lines.join('\n') + '\n';
}

/** The sanction document for a verified request: bound to its digest, valid `validHours` from now. */
export function buildSanction(request: RequestDoc, digest: string, prosecutor: SigningIdentity, o: { decision: SanctionDecision; reason?: string; now?: Date; validHours?: number }): SanctionDoc {
  const subject = ncaSubject(prosecutor.cert);
  if (!subject.iin || !subject.bin) throw new UsageError('the certificate is not a personal certificate with IIN (serialNumber) and office BIN (OU)');
  const reason = o.reason?.trim();
  if (o.decision === 'refused' && !reason) throw new UsageError('a refusal needs --reason');
  const now = o.now ?? new Date();
  return {
    type: 'sanction',
    version: 1,
    sanctionId: randomUUID(),
    requestId: request.requestId,
    requestDigest: digest,
    decision: o.decision,
    ...(reason ? { reason } : {}),
    issuedAt: now.toISOString(),
    validUntil: new Date(now.getTime() + (o.validHours ?? 24) * 3600_000).toISOString(),
    prosecutor: { iin: subject.iin, bin: subject.bin, ...(subject.cn ? { name: subject.cn } : {}) },
    case: { erdrNumber: request.case.erdrNumber },
  };
}

export interface SanctionOutcome extends SanctionResult {
  sanction: SanctionDoc;
  files: string[];
}

/** Finds the request in the pending list, verifies it, signs the sanction and posts it. */
export async function sanctionRequest(api: ApiClient, trust: ClientTrust, identity: SigningIdentity, requestId: string, o: { decision: SanctionDecision; reason?: string; validHours?: number; outDir?: string }): Promise<SanctionOutcome> {
  const pending = await pendingRequests(api, trust);
  const view = pending.find((p) => p.item.requestId.toLowerCase() === requestId.toLowerCase());
  // The gateway's pending list is its answer: not there means not found for this office (exit 1, like a refusal).
  if (!view) throw new ApiError(404, 'request.not_found', `request ${requestId} is not pending for this prosecutor (already decided, unknown, or not of a supervised body)`);
  if (!view.request) throw new Art50Error('cms.signature_invalid', `request ${requestId} does not verify: ${view.invalid ?? '?'}`);
  const sanction = buildSanction(view.request, view.item.digest, identity, o);
  const bytes = Buffer.from(JSON.stringify(sanction, null, 2), 'utf8');
  const der = signCms(bytes, identity);
  const files: string[] = [];
  if (o.outDir) {
    mkdirSync(o.outDir, { recursive: true });
    files.push(join(o.outDir, `${requestId}.sanction.p7s`));
    writeFileSync(files[0]!, der);
  }
  const out = await api.sanction(view.request.requestId, der);
  if (o.outDir) {
    files.push(join(o.outDir, `${requestId}.sanction.receipt.p7s`));
    writeFileSync(files[1]!, Buffer.from(out.receipt, 'base64'));
  }
  return { ...out, sanction, files };
}

function scopeText(r: RequestDoc): string {
  const parts: string[] = [];
  if (r.scope.accountList) parts.push('accounts');
  if (r.scope.balances) parts.push(`balances@${r.scope.balances.asOf}`);
  if (r.scope.movements) parts.push(`movements ${r.scope.movements.from}..${r.scope.movements.to}`);
  return parts.join(', ');
}

export function registerProsecutorCommands(program: Command, setExit: SetExit): void {
  const pros = program.command('prosecutor').description('prosecutor: review pending requests, sign sanctions');
  const conn = (c: Command): Command => identityFlags(c, 'prosecutor', { signs: true })
    .option('--gateway <url>', CONNECTION_HELP.gateway)
    .option('--ca <pem>', CONNECTION_HELP.ca)
    .option('--crl <file...>', CONNECTION_HELP.crl)
    .option('--registry <json>', CONNECTION_HELP.registry);

  conn(pros.command('show')
    .description('the whole request (case, subject, scope, banks, signer), verified locally, and where it stands (sanction, each bank); pending or decided')
    .argument('<requestId>')
    .option('--json', 'print JSON'))
    .action((id: string, o: Conn & { json?: boolean }) => clientAction('show', setExit, async (opened) => {
      const api = opened(connect(o, (await openIdentity(o)).tls));
      const trust = opened(trustFor(o));
      const view = await requestForProsecutor(api, trust, id);
      const s = view.item;
      if (o.json) {
        const r = view.request;
        process.stdout.write(JSON.stringify({
          requestId: s.requestId, digest: s.digest, receivedAt: s.receivedAt, state: s.state, decision: s.decision ?? null, banks: s.banks,
          ...(r ? { bodyBin: r.body.bin, erdrNumber: r.case.erdrNumber, article: r.case.article } : {}),
          request: r ?? null, signer: view.signer ?? null, invalid: view.invalid ?? null,
        }, null, 2) + '\n');
      } else {
        process.stdout.write(formatRequest(view) + formatProgress(s));
      }
      if (!view.request) setExit(2);
    }));

  conn(pros.command('decisions')
    .description('the sanctions this office issued (granted or refused), newest first')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON'))
    .action((o: Conn & { limit: string; json?: boolean }) => clientAction('decisions', setExit, async (opened) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be an integer from 1 to 1000');
      const api = opened(connect(o, (await openIdentity(o)).tls));
      const { items } = await api.decisions(limit);
      if (o.json) process.stdout.write(JSON.stringify(items, null, 2) + '\n');
      else if (items.length === 0) process.stdout.write('no decisions yet\n');
      else process.stdout.write(table([['decided', 'requestId', 'ERDR', 'article', 'decision', 'reason', 'request now'], ...items.map((i) => [i.decidedAt, i.requestId, i.erdrNumber, i.article, i.decision, i.reason ?? '', i.state])]));
    }));

  conn(pros.command('pending').description('requests of supervised bodies awaiting a sanction, each verified locally').option('--json', 'print JSON'))
    .action((o: Conn & { json?: boolean }) => clientAction('pending', setExit, async (opened) => {
      const api = opened(connect(o, (await openIdentity(o)).tls));
      const trust = opened(trustFor(o));
      const views = await pendingRequests(api, trust);
      if (o.json) {
        process.stdout.write(JSON.stringify(views.map((v) => ({ ...v.item, request: v.request ?? null, signer: v.signer ?? null, invalid: v.invalid ?? null })), null, 2) + '\n');
        return;
      }
      if (views.length === 0) {
        process.stdout.write('nothing pending\n');
        return;
      }
      process.stdout.write(table([
        ['requestId', 'ERDR', 'article', 'subject', 'banks', 'scope', 'signed by', 'received'],
        ...views.map((v) => v.request
          ? [v.item.requestId, v.item.erdrNumber, v.item.article, describeSubject(v.request.subject), v.request.banks === 'all' ? 'all' : v.request.banks.join(','), scopeText(v.request), v.signer ?? '?', v.item.receivedAt]
          : [v.item.requestId, v.item.erdrNumber, v.item.article, `INVALID ${v.invalid ?? ''}`, '', '', '', v.item.receivedAt]),
      ]));
    }));

  conn(pros.command('sanction')
    .description('sign and submit a sanction for a pending request (bound to its digest; valid 24 h)')
    .argument('<requestId>')
    .requiredOption('--decision <granted|refused>', 'the decision')
    .option('--reason <text>', 'grounds; required when refused')
    .option('--valid-hours <n>', 'validity of the sanction in hours', '24')
    .option('--out <dir>', 'also keep the signed sanction and its receipt here')
    .option('--json', 'print the result as JSON'))
    .action((id: string, o: Conn & { decision: string; reason?: string; validHours: string; out?: string; json?: boolean }) => clientAction('sanction', setExit, async (opened) => {
      if (o.decision !== 'granted' && o.decision !== 'refused') throw new UsageError('--decision must be granted or refused');
      const validHours = Number(o.validHours);
      if (!Number.isFinite(validHours) || validHours <= 0) throw new UsageError('--valid-hours must be a positive number');
      const identity = await openIdentity(o);
      const api = opened(connect(o, identity.tls));
      const trust = opened(trustFor(o));
      const r = await sanctionRequest(api, trust, await identity.signer(), id, {
        decision: o.decision, validHours, ...(o.reason ? { reason: o.reason } : {}), ...(o.out ? { outDir: o.out } : {}),
      });
      if (o.json) {
        process.stdout.write(JSON.stringify({ requestId: r.requestId, sanctionId: r.sanctionId, decision: r.decision, requestDigest: r.sanction.requestDigest, state: r.state, logIndex: r.logIndex, files: r.files }, null, 2) + '\n');
        return;
      }
      process.stdout.write(`request:   ${r.requestId}\nsanction:  ${r.sanctionId} (${r.decision})\nbound to:  ${r.sanction.requestDigest}\nstate:     ${r.state}\nlog index: ${r.logIndex}\n${r.files.length ? `files:     ${r.files.join(', ')}\n` : ''}`);
    }));
}
