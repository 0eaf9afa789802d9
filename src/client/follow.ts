import { fromMinor, toMinor } from '../documents/amounts';
import type { RequestDoc, StatementDoc, StatementMovement } from '../documents/types';

/**
 * Follow the money: next-hop requests from a statement, and the transfers no hop follows.
 * Pure (no file system, no node-only module) so the browser console can use it as well as the CLI.
 */

export interface NextHop {
  counterpartyIin: string;
  name?: string;
  ibans: string[];
  banks: string[] | 'all';
  /** Total sent by the subject to this person, decimal string per currency. */
  totals: Record<string, string>;
  movements: number;
  request: RequestDoc;
}

export interface UnfollowedTransfer {
  counterparty: string;
  amount: string;
  currency: string;
  bookedAt: string;
  reason: string;
}

export interface NextHopOptions {
  now?: Date;
  /** A new requestId per hop; default a random UUID (Web Crypto, in Node and in browsers). */
  newId?: () => string;
  /** BICs of registered banks: a counterparty bank outside it means "all". */
  knownBanks?: ReadonlySet<string>;
  /** Smallest total (decimal) worth a next hop. */
  minAmount?: string;
}

/**
 * Every outgoing transfer of the statement that no next-hop request follows, and why: a company
 * (BIN), a counterparty without an IIN, the subject's own account, or a total below `minAmount`.
 * `follow` prints these, so nothing is dropped silently.
 */
export function unfollowedTransfers(statement: StatementDoc, parent: RequestDoc, minAmount?: string): UnfollowedTransfer[] {
  const subjectIin = statement.subject?.iin ?? parent.subject.iin;
  const followed = new Set(buildNextHopRequests(statement, parent, minAmount !== undefined ? { minAmount } : {}).map((h) => h.counterpartyIin));
  const out: UnfollowedTransfer[] = [];
  for (const m of (statement.accounts ?? []).flatMap((a) => a.movements ?? [])) {
    if (toMinor(m.amount) >= 0n) continue;
    const c = m.counterparty;
    const who = c?.name ?? c?.iban ?? c?.bin ?? c?.iin ?? '(no counterparty)';
    const base = { counterparty: who, amount: m.amount, currency: m.currency, bookedAt: m.bookedAt };
    if (c?.iin && followed.has(c.iin)) continue;
    if (c?.iin === subjectIin) out.push({ ...base, reason: 'the subject\'s own account' });
    else if (c?.bin && !c.iin) out.push({ ...base, reason: `a legal entity (BIN ${c.bin}): not an individual` });
    else if (!c?.iin) out.push({ ...base, reason: 'the bank named no IIN for the counterparty' });
    else out.push({ ...base, reason: `total sent to IIN ${c.iin} is below --min-amount ${minAmount ?? ''}` });
  }
  return out;
}

/**
 * One new request per distinct individual (IIN) who received money from the subject in this
 * statement (outgoing movements, amount < 0). Each copies the parent's case, body, signer, scope and
 * deadline; subject = the counterparty; knownIbans = the counterparty's IBANs seen; banks = their
 * BICs when every one is known (and, with `knownBanks`, registered), else "all"; parent =
 * {requestId, statementId}. Companies (BIN) and the subject itself are skipped.
 */
export function buildNextHopRequests(statement: StatementDoc, parent: RequestDoc, opts: NextHopOptions = {}): NextHop[] {
  const min = opts.minAmount !== undefined ? toMinor(opts.minAmount) : undefined;
  const now = opts.now ?? new Date();
  const newId = opts.newId ?? (() => globalThis.crypto.randomUUID());
  if (statement.requestId !== parent.requestId) {
    throw new Error(`the statement answers request ${statement.requestId}, the template is request ${parent.requestId}`);
  }
  const subjectIin = statement.subject?.iin ?? parent.subject.iin;
  interface Acc { name?: string; ibans: Set<string>; bics: Set<string>; unknownBank: boolean; totals: Map<string, bigint>; movements: number }
  const byIin = new Map<string, Acc>();
  const outgoing: StatementMovement[] = (statement.accounts ?? []).flatMap((a) => a.movements ?? []).filter((m) => toMinor(m.amount) < 0n);
  for (const m of outgoing) {
    const c = m.counterparty;
    if (!c?.iin || c.iin === subjectIin) continue;
    let acc = byIin.get(c.iin);
    if (!acc) {
      acc = { ibans: new Set(), bics: new Set(), unknownBank: false, totals: new Map(), movements: 0 };
      if (c.name) acc.name = c.name;
      byIin.set(c.iin, acc);
    }
    if (c.iban) acc.ibans.add(c.iban);
    if (c.bic && (!opts.knownBanks || opts.knownBanks.has(c.bic))) acc.bics.add(c.bic);
    else acc.unknownBank = true;
    acc.totals.set(m.currency, (acc.totals.get(m.currency) ?? 0n) - toMinor(m.amount));
    acc.movements++;
  }
  const hops: NextHop[] = [];
  for (const [iin, acc] of byIin) {
    // Below the threshold in every currency: not worth a new request (the money trail is cut there).
    if (min !== undefined && [...acc.totals.values()].every((v) => v < min)) continue;
    const banks: string[] | 'all' = acc.unknownBank || acc.bics.size === 0 ? 'all' : [...acc.bics].sort();
    const ibans = [...acc.ibans].sort().slice(0, 100);
    const request: RequestDoc = {
      type: 'request',
      version: 1,
      requestId: newId(),
      createdAt: now.toISOString(),
      case: { ...parent.case },
      body: { ...parent.body },
      signer: { ...parent.signer },
      subject: { iin, ...(acc.name ? { name: acc.name.slice(0, 200) } : {}), ...(ibans.length > 0 ? { knownIbans: ibans } : {}) },
      scope: JSON.parse(JSON.stringify(parent.scope)) as RequestDoc['scope'],
      banks,
      ...(parent.deadlineHours !== undefined ? { deadlineHours: parent.deadlineHours } : {}),
      parent: { requestId: statement.requestId, statementId: statement.statementId },
    };
    hops.push({
      counterpartyIin: iin,
      ...(acc.name ? { name: acc.name } : {}),
      ibans,
      banks,
      totals: Object.fromEntries([...acc.totals].map(([cur, v]) => [cur, fromMinor(v)])),
      movements: acc.movements,
      request,
    });
  }
  return hops.sort((a, b) => a.counterpartyIin.localeCompare(b.counterpartyIin));
}
