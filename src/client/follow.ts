import { fromMinor, toMinor } from '../documents/amounts';
import { isValidKzIban, maskCardNumber } from '../documents/check-digits';
import { describeIdentifier, SubjectIdentifier } from '../documents/subject';
import type { Counterparty, RequestDoc, StatementDoc, StatementMovement } from '../documents/types';
import { requestFromTemplate } from './new-request';

/**
 * Follow the money: next-hop requests from a statement, and the transfers no hop follows.
 * Pure (no file system, no node-only module) so the browser console can use it as well as the CLI.
 */

export interface NextHop {
  /** How the next request names the receiver: by IIN when the bank gave one, else IBAN, else card. */
  counterparty: SubjectIdentifier;
  /** Set when the hop is by IIN. */
  counterpartyIin?: string;
  name?: string;
  ibans: string[];
  banks: string[] | 'all';
  /** Total sent by the subject to this receiver, decimal string per currency. */
  totals: Record<string, string>;
  movements: number;
  request: RequestDoc;
}

export interface UnfollowedTransfer {
  /** Who received it as a person reads it (a card number masked). */
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

type Receiver = { follow: SubjectIdentifier } | { reason: string };

/** Whom an outgoing transfer went to, as a next-hop subject (IIN, else IBAN, else card), or why it cannot be one. */
function receiverOf(c: Counterparty | undefined, own: { iin?: string; ibans: ReadonlySet<string>; card?: string }): Receiver {
  if (c?.iin !== undefined) return c.iin === own.iin ? { reason: 'the subject\'s own account' } : { follow: { kind: 'iin', value: c.iin } };
  if (c?.bin !== undefined) return { reason: `a legal entity (BIN ${c.bin}): not an individual` };
  if (c?.iban !== undefined) {
    if (own.ibans.has(c.iban)) return { reason: 'the subject\'s own account' };
    if (!isValidKzIban(c.iban)) return { reason: `the bank named no IIN, and IBAN ${c.iban} is not at a Kazakh bank` };
    return { follow: { kind: 'iban', value: c.iban } };
  }
  if (c?.card !== undefined) return c.card === own.card ? { reason: 'the subject\'s own card' } : { follow: { kind: 'card', value: c.card } };
  return { reason: 'the bank named no IIN, IBAN or card for the counterparty' };
}

function ownOf(statement: StatementDoc, parent: RequestDoc): { iin?: string; ibans: ReadonlySet<string>; card?: string } {
  const iin = statement.subject?.iin ?? parent.subject.iin;
  const ibans = new Set((statement.accounts ?? []).map((a) => a.iban));
  if (parent.subject.iban) ibans.add(parent.subject.iban);
  return { ...(iin !== undefined ? { iin } : {}), ibans, ...(parent.subject.card ? { card: parent.subject.card } : {}) };
}

const keyOf = (id: SubjectIdentifier): string => `${id.kind}:${id.value}`;
const outgoingOf = (statement: StatementDoc): StatementMovement[] =>
  (statement.accounts ?? []).flatMap((a) => a.movements ?? []).filter((m) => toMinor(m.amount) < 0n);

/**
 * Every outgoing transfer of the statement that no next-hop request follows, and why: a company
 * (BIN), a counterparty the bank named by neither IIN, IBAN nor card, a foreign IBAN, the subject's
 * own account, or a total below `minAmount`. `follow` prints these, so nothing is dropped silently.
 */
export function unfollowedTransfers(statement: StatementDoc, parent: RequestDoc, minAmount?: string): UnfollowedTransfer[] {
  const own = ownOf(statement, parent);
  const followed = new Set(buildNextHopRequests(statement, parent, minAmount !== undefined ? { minAmount } : {}).map((h) => keyOf(h.counterparty)));
  const out: UnfollowedTransfer[] = [];
  for (const m of outgoingOf(statement)) {
    const c = m.counterparty;
    const r = receiverOf(c, own);
    if ('follow' in r && followed.has(keyOf(r.follow))) continue;
    const who = c?.name ?? c?.iban ?? c?.bin ?? c?.iin ?? (c?.card !== undefined ? `card ${maskCardNumber(c.card)}` : '(no counterparty)');
    const reason = 'reason' in r ? r.reason : `total sent to ${describeIdentifier(r.follow)} is below --min-amount ${minAmount ?? ''}`;
    out.push({ counterparty: who, amount: m.amount, currency: m.currency, bookedAt: m.bookedAt, reason });
  }
  return out;
}

/**
 * One new request per distinct individual who received money from the subject in this statement
 * (outgoing movements, amount < 0), named by IIN when the bank gave one, else by IBAN (a Kazakh
 * account), else by card number; the next bank's statement names the holder. Each copies the
 * parent's case, body, signer, scope and deadline; knownIbans = the receiver's IBANs seen (IIN hops);
 * banks = the receiver's BICs when every one is known (and, with `knownBanks`, registered), else
 * "all" (always for a card: its number does not say the bank); parent = {requestId, statementId}.
 * Companies (BIN) and the subject's own accounts are not followed (unfollowedTransfers says so).
 */
export function buildNextHopRequests(statement: StatementDoc, parent: RequestDoc, opts: NextHopOptions = {}): NextHop[] {
  const min = opts.minAmount !== undefined ? toMinor(opts.minAmount) : undefined;
  const now = opts.now ?? new Date();
  if (statement.requestId !== parent.requestId) {
    throw new Error(`the statement answers request ${statement.requestId}, the template is request ${parent.requestId}`);
  }
  const own = ownOf(statement, parent);
  interface Acc { id: SubjectIdentifier; name?: string; ibans: Set<string>; bics: Set<string>; unknownBank: boolean; totals: Map<string, bigint>; movements: number }
  const byReceiver = new Map<string, Acc>();
  for (const m of outgoingOf(statement)) {
    const c = m.counterparty;
    const r = receiverOf(c, own);
    if (!('follow' in r)) continue;
    const key = keyOf(r.follow);
    let acc = byReceiver.get(key);
    if (!acc) {
      acc = { id: r.follow, ibans: new Set(), bics: new Set(), unknownBank: false, totals: new Map(), movements: 0 };
      if (c?.name) acc.name = c.name;
      byReceiver.set(key, acc);
    }
    if (c?.iban) acc.ibans.add(c.iban);
    if (r.follow.kind !== 'card' && c?.bic && (!opts.knownBanks || opts.knownBanks.has(c.bic))) acc.bics.add(c.bic);
    else acc.unknownBank = true;
    acc.totals.set(m.currency, (acc.totals.get(m.currency) ?? 0n) - toMinor(m.amount));
    acc.movements++;
  }
  const hops: NextHop[] = [];
  for (const acc of byReceiver.values()) {
    // Below the threshold in every currency: not worth a new request (the money trail is cut there).
    if (min !== undefined && [...acc.totals.values()].every((v) => v < min)) continue;
    const banks: string[] | 'all' = acc.unknownBank || acc.bics.size === 0 ? 'all' : [...acc.bics].sort();
    const ibans = [...acc.ibans].sort().slice(0, 100);
    const name = acc.name ? { name: acc.name.slice(0, 200) } : {};
    const subject: RequestDoc['subject'] = acc.id.kind === 'iin'
      ? { iin: acc.id.value, ...name, ...(ibans.length > 0 ? { knownIbans: ibans } : {}) }
      : acc.id.kind === 'iban' ? { iban: acc.id.value, ...name } : { card: acc.id.value, ...name };
    const request: RequestDoc = {
      ...requestFromTemplate(parent, { subject, banks, now, newId: opts.newId }),
      parent: { requestId: statement.requestId, statementId: statement.statementId },
    };
    hops.push({
      counterparty: acc.id,
      ...(acc.id.kind === 'iin' ? { counterpartyIin: acc.id.value } : {}),
      ...(acc.name ? { name: acc.name } : {}),
      ibans,
      banks,
      totals: Object.fromEntries([...acc.totals].map(([cur, v]) => [cur, fromMinor(v)])),
      movements: acc.movements,
      request,
    });
  }
  // IIN hops first, then IBAN, then card; within a kind by the identifier (stable file order).
  const rank = { iin: 0, iban: 1, card: 2 } as const;
  return hops.sort((a, b) => rank[a.counterparty.kind] - rank[b.counterparty.kind] || a.counterparty.value.localeCompare(b.counterparty.value));
}
