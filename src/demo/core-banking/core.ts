import { fromMinor, toMinor } from '../../documents/amounts';
import type { SubjectIdentifier } from '../../documents/subject';
import type { Counterparty, RequestScope, StatementAccount, StatementMovement } from '../../documents/types';
import { counterpartyPool, inventIban, PURPOSES, type PoolEntry } from './invent';
import { hash32, int, mulberry32 } from './random';
import type { CoreBanking, CoreBankingOptions, CoreLookup, MoneyTrail, TrailParty } from './types';
import { dateOf, dayNumber, KZ_OFFSET, minorToString, pad2 } from './values';

/**
 * The reference bank's fake core banking system, for tests, the demo and benchmarks only.
 *
 * Everything is a pure function of the seed, the bank and the question: the same seed gives the same
 * accounts, IBANs, balances and movements on every run and in every process (mulberry32, never
 * Math.random). Identifiers are invented but carry valid check digits (IIN, BIN, KZ IBAN).
 *
 * Two sources of answers:
 * - random subjects: a share (`coverage`) of IINs hold 1–3 accounts here, with movements inside the
 *   requested period whose counterparties are individuals and companies at OTHER banks (`peers`);
 * - a planted money trail (`seedCase`): known accounts and transfers across banks, so the demo can
 *   follow the money hop by hop. An IIN that appears anywhere in a planted trail is answered only
 *   from the trail (no random noise around the story). Planted accounts are found by IBAN and by
 *   card number too; random subjects only by IIN.
 */

interface PlantedAccount {
  party: TrailParty & { iban: string };
  currency: string;
  /** Movements of this account in booking order, amounts signed from its point of view. */
  movements: StatementMovement[];
  opening: bigint;
}

export function createCoreBanking(options: CoreBankingOptions): CoreBanking {
  const { seed, bank, peers } = options;
  const coverage = options.coverage ?? 0.6;
  const planted = new Map<string, PlantedAccount[]>();
  const plantedByIban = new Map<string, PlantedAccount>();
  const plantedByCard = new Map<string, PlantedAccount>();
  const trailIins = new Set<string>();
  let trailCount = 0;

  function seedCase(trail: MoneyTrail): void {
    const trailNo = trailCount++;
    const byIban = new Map<string, PlantedAccount>();
    const partyByKey = new Map(trail.parties.map((p) => [p.key, p]));
    for (const p of trail.parties) {
      if (p.iin !== undefined) trailIins.add(p.iin);
      if (p.bic !== bank.bic) continue;
      const acc: PlantedAccount = { party: p, currency: trail.currency, movements: [], opening: toMinor(p.openingBalance ?? '0') };
      byIban.set(p.iban, acc);
      plantedByIban.set(p.iban, acc);
      if (p.card !== undefined) plantedByCard.set(p.card, acc);
      if (p.iin !== undefined) planted.set(p.iin, [...(planted.get(p.iin) ?? []), acc]);
    }
    const cp = (p: TrailParty & { iban: string }): Counterparty => {
      if (p.shownAs === 'card') return { name: p.name, card: p.card! };
      if (p.shownAs === 'iban') return { name: p.name, iban: p.iban, bic: p.bic };
      return { name: p.name, ...(p.iin !== undefined ? { iin: p.iin } : { bin: p.bin }), iban: p.iban, bic: p.bic };
    };
    trail.transfers.forEach((t, i) => {
      const from = partyByKey.get(t.from)!;
      const to = partyByKey.get(t.to)!;
      const channel = t.channel ?? 'transfer';
      const base = { bookedAt: t.bookedAt, currency: trail.currency, channel, ...(t.purpose !== undefined ? { purpose: t.purpose } : {}) };
      const tag = `${bank.bic.slice(0, 4)}-T${trailNo}-${String(i).padStart(5, '0')}`;
      byIban.get(from.iban)?.movements.push({ id: `${tag}-D`, amount: fromMinor(-toMinor(t.amount)), counterparty: cp(to), ...base });
      byIban.get(to.iban)?.movements.push({ id: `${tag}-C`, amount: t.amount, counterparty: cp(from), ...base });
    });
  }

  function plantedLookup(found: PlantedAccount[], scope: RequestScope): StatementAccount[] {
    return found.map((acc): StatementAccount => {
      const a: StatementAccount = { iban: acc.party.iban, currency: acc.currency, openedOn: acc.party.openedOn ?? '2020-01-01', closedOn: null };
      if (scope.balances) {
        const asOf = scope.balances.asOf;
        let total = acc.opening;
        for (const m of acc.movements) if (m.bookedAt.slice(0, 10) <= asOf) total += toMinor(m.amount);
        a.balance = { amount: fromMinor(total), asOf };
      }
      if (scope.movements) {
        const { from, to } = scope.movements;
        a.movements = acc.movements.filter((m) => {
          const d = m.bookedAt.slice(0, 10);
          return d >= from && d <= to;
        });
      }
      return a;
    });
  }

  /** By IBAN or card: that account, when it is an individual's; the holder named. */
  function accountLookup(acc: PlantedAccount | undefined, scope: RequestScope): CoreLookup {
    if (!acc || acc.party.iin === undefined) return { accounts: [] };
    return { accounts: plantedLookup([acc], scope), holder: { iin: acc.party.iin, name: acc.party.name } };
  }

  function randomAccount(iin: string, k: number, scope: RequestScope): StatementAccount {
    const rng = mulberry32(hash32(`${bank.bic}|${iin}|account|${k}`, seed));
    const iban = inventIban(rng, bank.ibanCode);
    const r = rng();
    const currency = r < 0.85 ? 'KZT' : r < 0.95 ? 'USD' : 'EUR';
    const openedDay = int(rng, dayNumber('2012-01-01'), dayNumber('2024-12-31'));
    const closed = rng() < 0.1;
    const account: StatementAccount = {
      iban, currency, openedOn: dateOf(openedDay),
      closedOn: closed ? dateOf(openedDay + int(rng, 30, 700)) : null,
    };
    const pool = counterpartyPool(rng, bank, peers, 24);
    if (scope.balances) {
      const b = mulberry32(hash32(`${iban}|balance|${scope.balances.asOf}`, seed));
      account.balance = { amount: closed ? '0.00' : minorToString(Math.floor(b() * b() * 500_000_000)), asOf: scope.balances.asOf };
    }
    if (scope.movements) {
      account.movements = closed ? [] : randomMovements(iban, currency, scope.movements, pool, options.movementsPerAccount);
    }
    return account;
  }

  function randomMovements(
    iban: string, currency: string, period: { from: string; to: string }, pool: PoolEntry[], exact: number | undefined,
  ): StatementMovement[] {
    const rng = mulberry32(hash32(`${iban}|movements|${period.from}|${period.to}`, seed));
    const first = dayNumber(period.from);
    const days = Math.max(1, dayNumber(period.to) - first + 1);
    const n = exact ?? int(rng, 3, 40);
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) times[i] = Math.floor(rng() * days * 86_400);
    times.sort();
    const dayCache = new Map<number, string>();
    const prefix = `${bank.bic.slice(0, 4)}-${iban.slice(-8)}-`;
    const out: StatementMovement[] = new Array<StatementMovement>(n);
    for (let i = 0; i < n; i++) {
      const t = times[i]!;
      const dayIdx = Math.floor(t / 86_400);
      let day = dayCache.get(dayIdx);
      if (day === undefined) {
        day = dateOf(first + dayIdx);
        dayCache.set(dayIdx, day);
      }
      const sec = t % 86_400;
      const bookedAt = `${day}T${pad2(Math.floor(sec / 3600))}:${pad2(Math.floor((sec % 3600) / 60))}:${pad2(sec % 60)}${KZ_OFFSET}`;
      const entry = pool[Math.floor(rng() * pool.length)]!;
      const credit = entry.channel === 'pos' ? false : entry.channel === 'atm' || entry.channel === 'branch' ? rng() < 0.3 : rng() < 0.45;
      // Log-uniform between 100.00 and 2,000,000.00.
      const minor = Math.floor(Math.exp(Math.log(10_000) + rng() * (Math.log(200_000_000) - Math.log(10_000))));
      const purposes = PURPOSES[entry.channel];
      const m: StatementMovement = {
        id: prefix + String(i + 1).padStart(7, '0'),
        bookedAt,
        amount: minorToString(credit ? minor : -minor),
        currency,
        purpose: purposes[Math.floor(rng() * purposes.length)]!,
        channel: entry.channel,
      };
      if (Object.keys(entry.counterparty).length > 0) m.counterparty = entry.counterparty;
      out[i] = m;
    }
    return out;
  }

  function lookup(subject: SubjectIdentifier | string, scope: RequestScope): CoreLookup {
    const id: SubjectIdentifier = typeof subject === 'string' ? { kind: 'iin', value: subject } : subject;
    if (id.kind === 'iban') return accountLookup(plantedByIban.get(id.value), scope);
    if (id.kind === 'card') return accountLookup(plantedByCard.get(id.value), scope);
    const subjectIin = id.value;
    if (trailIins.has(subjectIin)) {
      const found = planted.get(subjectIin) ?? [];
      const accounts = plantedLookup(found, scope);
      return accounts.length > 0 ? { accounts, holder: { iin: subjectIin, name: found[0]!.party.name } } : { accounts };
    }
    const rng = mulberry32(hash32(`${bank.bic}|${subjectIin}`, seed));
    if (rng() >= coverage) return { accounts: [] };
    const n = int(rng, 1, 3);
    const accounts: StatementAccount[] = [];
    for (let k = 0; k < n; k++) accounts.push(randomAccount(subjectIin, k, scope));
    return { accounts, holder: { iin: subjectIin } };
  }

  return { bank, lookup, seedCase };
}
