import { fromMinor, toMinor } from '../documents/amounts';
import { completeCardNumber, completeKzId, makeKzIban } from '../documents/check-digits';
import type { SubjectIdentifier } from '../documents/subject';
import type {
  Counterparty, DecimalString, MovementChannel, RequestScope, StatementAccount, StatementMovement,
} from '../documents/types';

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

export interface CoreBankIdentity {
  bic: string;
  bin: string;
  /** The 3-digit bank code inside KZ IBANs. */
  ibanCode: string;
}

export interface PeerBank {
  bic: string;
  ibanCode: string;
}

export interface CoreBankingOptions {
  seed: number;
  bank: CoreBankIdentity;
  /** Other banks, where counterparties hold their accounts. Empty means the bank itself. */
  peers: PeerBank[];
  /** Exact number of movements per (open) account when movements are asked; default 3..40. */
  movementsPerAccount?: number;
  /** Share of random subjects holding accounts here, 0..1; default 0.6. */
  coverage?: number;
}

export interface CoreLookup {
  /** Empty: the subject is not a customer (result not_found). */
  accounts: StatementAccount[];
  /** Whose accounts these are (an individual), when found: for a question by IBAN or card, the holder. */
  holder?: { iin: string; name?: string };
}

export interface CoreBanking {
  readonly bank: CoreBankIdentity;
  /**
   * What the bank holds about the subject (an IIN, or an IBAN or card number of an account here),
   * limited to `scope` (balances / movements only when asked). By IBAN or card: that account only,
   * and only an individual's (a company's account is not an Art. 50 subject: not found).
   */
  lookup(subject: SubjectIdentifier | string, scope: RequestScope): CoreLookup;
  /** Plants a money trail; the parties at this bank become its customers. May be called again to add more. */
  seedCase(trail: MoneyTrail): void;
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: a tiny, fast 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the string, mixed with the seed: a stable 32-bit stream key. */
function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

type Rng = () => number;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const digits = (rng: Rng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rng() * 10));
  return s;
};
const pad2 = (n: number): string => String(n).padStart(2, '0');

// ---------------------------------------------------------------------------------------------
// Money as integer minor units (KZT, USD, EUR: 2 digits)


function minorToString(minor: number): DecimalString {
  const neg = minor < 0;
  const abs = Math.abs(minor);
  return `${neg ? '-' : ''}${Math.floor(abs / 100)}.${pad2(abs % 100)}`;
}

// ---------------------------------------------------------------------------------------------
// Dates (calendar dates as YYYY-MM-DD; local time written with the Kazakhstan offset +05:00)

const DAY_MS = 86_400_000;
const dayNumber = (date: string): number => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
const dateOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const KZ_OFFSET = '+05:00';

// ---------------------------------------------------------------------------------------------
// Invented people and companies

const FIRST = ['Aigerim', 'Nursultan', 'Dana', 'Yerzhan', 'Madina', 'Arman', 'Zhanna', 'Timur', 'Aliya', 'Serik', 'Kamila', 'Ruslan', 'Asem', 'Dias', 'Togzhan', 'Alibek'];
const LAST = ['Demo-Abenov', 'Demo-Seitkali', 'Demo-Kassymova', 'Demo-Ospanov', 'Demo-Bekova', 'Demo-Tokayev', 'Demo-Iskakova', 'Demo-Mukanov', 'Demo-Zhumabay', 'Demo-Rakhimova'];
const COMPANY = ['TOO Demo Trade', 'TOO Demo Logistics', 'IP Demo Market', 'TOO Demo Telecom', 'TOO Demo Energy Sbyt', 'AO Demo Insurance', 'TOO Demo Crypto Exchange', 'TOO Demo Realty'];
const MERCHANTS = ['Demo Supermarket', 'Demo Fuel Station', 'Demo Pharmacy', 'Demo Electronics', 'Demo Cafe', 'Demo Taxi'];

function inventIin(rng: Rng): string {
  const year = int(rng, 1960, 2005);
  const century = year >= 2000 ? int(rng, 5, 6) : int(rng, 3, 4);
  return completeKzId(`${pad2(year % 100)}${pad2(int(rng, 1, 12))}${pad2(int(rng, 1, 28))}${century}${digits(rng, 4)}`);
}

function inventBin(rng: Rng): string {
  return completeKzId(`${pad2(int(rng, 0, 24))}${pad2(int(rng, 1, 12))}${int(rng, 4, 6)}0${digits(rng, 5)}`);
}

function inventIban(rng: Rng, ibanCode: string): string {
  return makeKzIban(ibanCode, digits(rng, 13));
}

/** A 16-digit demo card number (issuer prefix 440043, Luhn check digit). */
export function inventCard(rng: Rng): string {
  return completeCardNumber(`440043${digits(rng, 9)}`);
}

const PURPOSES: Record<MovementChannel, readonly string[]> = {
  transfer: ['Payment under contract', 'Return of loan', 'Payment for goods', 'Salary'],
  mobile: ['Transfer to a card', 'Transfer by phone number', 'Family support'],
  internet: ['Transfer to a card', 'Online purchase', 'Utility payment'],
  pos: ['Card purchase'],
  atm: ['Cash withdrawal', 'Cash deposit'],
  branch: ['Cash deposit at branch', 'Cash withdrawal at branch'],
  other: ['Bank fee', 'Interest'],
};

interface PoolEntry {
  counterparty: Counterparty;
  channel: MovementChannel;
}

function counterpartyPool(rng: Rng, bank: CoreBankIdentity, peers: readonly PeerBank[], size: number): PoolEntry[] {
  const banks: readonly PeerBank[] = peers.length > 0 ? peers : [bank];
  const pool: PoolEntry[] = [];
  for (let i = 0; i < size; i++) {
    const at = pick(rng, banks);
    const r = rng();
    if (r < 0.6) {
      pool.push({
        counterparty: { name: `${pick(rng, FIRST)} ${pick(rng, LAST)}`, iin: inventIin(rng), iban: inventIban(rng, at.ibanCode), bic: at.bic },
        channel: pick(rng, ['mobile', 'mobile', 'internet', 'transfer'] as const),
      });
    } else if (r < 0.85) {
      pool.push({
        counterparty: { name: `${pick(rng, COMPANY)}-${int(rng, 1, 99)}`, bin: inventBin(rng), iban: inventIban(rng, at.ibanCode), bic: at.bic },
        channel: pick(rng, ['transfer', 'internet'] as const),
      });
    } else if (r < 0.95) {
      pool.push({ counterparty: { name: pick(rng, MERCHANTS) }, channel: 'pos' });
    } else {
      pool.push({ counterparty: {}, channel: pick(rng, ['atm', 'branch'] as const) });
    }
  }
  return pool;
}

// ---------------------------------------------------------------------------------------------
// Planted money trails

export interface TrailParty {
  /** Unique within the trail, used by transfers. */
  key: string;
  name: string;
  /** An individual (IIN) or an organisation (BIN). */
  iin?: string;
  bin?: string;
  bic: string;
  ibanCode: string;
  /** Fixed IBAN; default: derived from the trail seed and the key. */
  iban?: string;
  /** A payment card issued on the account (Luhn-valid PAN). */
  card?: string;
  /**
   * How the other side's bank names this party in its movements: everything it knows (default:
   * name, IIN/BIN, IBAN, BIC), only the account (`iban`: name, IBAN, BIC — no IIN), or only the
   * card (`card`: name and card number, as in a card-to-card transfer).
   */
  shownAs?: 'iban' | 'card';
  openedOn?: string;
  openingBalance?: DecimalString;
}

export interface TrailTransfer {
  from: string;
  to: string;
  /** Positive decimal string. */
  amount: DecimalString;
  /** RFC 3339 with offset, e.g. 2025-02-03T09:31:05+05:00. */
  bookedAt: string;
  purpose?: string;
  channel?: MovementChannel;
}

export interface TrailSpec {
  seed: number;
  currency?: string;
  parties: TrailParty[];
  transfers: TrailTransfer[];
}

export interface MoneyTrail {
  currency: string;
  parties: (TrailParty & { iban: string })[];
  transfers: TrailTransfer[];
}

/** Checks a trail script and gives every party a valid KZ IBAN at its bank. */
export function planMoneyTrail(spec: TrailSpec): MoneyTrail {
  const keys = new Set<string>();
  const parties = spec.parties.map((p) => {
    if (keys.has(p.key)) throw new Error(`trail party ${p.key} listed twice`);
    if ((p.iin === undefined) === (p.bin === undefined)) throw new Error(`trail party ${p.key} needs exactly one of iin, bin`);
    if (p.shownAs === 'card' && p.card === undefined) throw new Error(`trail party ${p.key} is shown by card but has none`);
    keys.add(p.key);
    return { ...p, iban: p.iban ?? inventIban(mulberry32(hash32(`trail|${p.key}`, spec.seed)), p.ibanCode) };
  });
  for (const t of spec.transfers) {
    if (!keys.has(t.from) || !keys.has(t.to)) throw new Error(`trail transfer ${t.from} -> ${t.to} names an unknown party`);
    if (toMinor(t.amount) <= 0n) throw new Error(`trail transfer ${t.from} -> ${t.to} must move a positive amount`);
  }
  const transfers = [...spec.transfers].sort((a, b) => Date.parse(a.bookedAt) - Date.parse(b.bookedAt));
  return { currency: spec.currency ?? 'KZT', parties, transfers };
}

export interface DemoTrailOptions {
  seed?: number;
  /** Day the loan money arrives; default 2025-02-03. */
  start?: string;
  /** Subject X; default the IIN of schemas/examples/request.json. */
  subject?: { iin: string; name: string };
  bankA?: PeerBank & { bin: string };
  bankB?: PeerBank;
  bankC?: PeerBank;
}

/** IINs of the demo trail's people, so callers can ask the next hop. */
export interface DemoTrail extends MoneyTrail {
  subjectIin: string;
  /** The 7 first-hop mule IINs: 4 at bank B, then 3 at bank C. */
  muleIins: string[];
  /** The card number on each mule's account, in the same order (a request may name a mule by card). */
  muleCards: string[];
  /** The second-hop mule (at bank B), who collects from the bank-C mules. */
  collectorIin: string;
}

/**
 * The scripted case of the demo (the shape of the brief's worked case, invented data): 16,500,000.00
 * KZT of loan money reaches subject X at bank A and is split within minutes to 7 mule accounts
 * (individuals) at banks B and C; the bank-B mules forward to a crypto-exchange company account at
 * bank C, the bank-C mules to a collector at bank B, who forwards to the exchange the next day.
 * So a second-hop request on any mule's IIN finds movements, and a third on the collector's too.
 */
export function demoMoneyTrail(opts: DemoTrailOptions = {}): DemoTrail {
  const seed = opts.seed ?? 50;
  const start = opts.start ?? '2025-02-03';
  const next = dateOf(dayNumber(start) + 1);
  const A = opts.bankA ?? { bic: 'ALFAKZKA', ibanCode: '111', bin: '931040000674' };
  const B = opts.bankB ?? { bic: 'BETAKZKA', ibanCode: '222' };
  const C = opts.bankC ?? { bic: 'GAMMKZKA', ibanCode: '333' };
  const subject = opts.subject ?? { iin: '920614300911', name: 'Subject Demo-One' };
  const rng = mulberry32(hash32('demo-trail', seed));
  const opened = dateOf(dayNumber(start) - 30);
  const muleBanks = [B, B, B, B, C, C, C];
  const muleAmounts = ['3000000.00', '2500000.00', '2400000.00', '2100000.00', '2500000.00', '2000000.00', '2000000.00'];
  const mules: TrailParty[] = muleBanks.map((bank, i) => ({
    key: `mule${i + 1}`, name: `${pick(rng, FIRST)} ${pick(rng, LAST)}`, iin: inventIin(rng), bic: bank.bic, ibanCode: bank.ibanCode, openedOn: opened,
    // From a stream of its own, so the story's other invented values stay as they were.
    card: inventCard(mulberry32(hash32(`card|mule${i + 1}`, seed))),
  }));
  const collector: TrailParty = { key: 'collector', name: `${pick(rng, FIRST)} ${pick(rng, LAST)}`, iin: inventIin(rng), bic: B.bic, ibanCode: B.ibanCode, openedOn: opened };
  const parties: TrailParty[] = [
    { key: 'loan', name: 'Consumer loan disbursement (demo)', bin: A.bin, bic: A.bic, ibanCode: A.ibanCode, openedOn: '2010-01-04' },
    { key: 'subject', name: subject.name, iin: subject.iin, bic: A.bic, ibanCode: A.ibanCode, openedOn: '2019-07-02', openingBalance: '500.00' },
    ...mules,
    collector,
    { key: 'exchange', name: 'TOO Demo Crypto Exchange', bin: inventBin(rng), bic: C.bic, ibanCode: C.ibanCode, openedOn: '2021-05-17' },
  ];
  const at = (day: string, h: number, m: number, s: number): string => `${day}T${pad2(h)}:${pad2(m)}:${pad2(s)}${KZ_OFFSET}`;
  const transfers: TrailTransfer[] = [
    { from: 'loan', to: 'subject', amount: '16500000.00', bookedAt: at(start, 9, 12, 44), purpose: 'Consumer loan disbursement', channel: 'other' },
  ];
  let collected = 0n;
  mules.forEach((mule, i) => {
    const amount = muleAmounts[i]!;
    transfers.push({ from: 'subject', to: mule.key, amount, bookedAt: at(start, 9, 20 + i * 3, int(rng, 0, 59)), purpose: 'Transfer to a card', channel: 'mobile' });
    // The mule keeps ~1.5 % and forwards the rest within hours.
    const forwarded = (toMinor(amount) * 985n) / 1000n;
    const toKey = mule.bic === B.bic ? 'exchange' : 'collector';
    if (toKey === 'collector') collected += forwarded;
    transfers.push({
      from: mule.key, to: toKey, amount: fromMinor(forwarded), bookedAt: at(start, 11 + i, int(rng, 0, 59), int(rng, 0, 59)),
      purpose: toKey === 'exchange' ? 'Purchase of digital assets' : 'Return of loan', channel: 'internet',
    });
  });
  transfers.push({
    from: 'collector', to: 'exchange', amount: fromMinor((collected * 99n) / 100n), bookedAt: at(next, 10, 5, 12),
    purpose: 'Purchase of digital assets', channel: 'internet',
  });
  const trail = planMoneyTrail({ seed, parties, transfers });
  return {
    ...trail,
    subjectIin: subject.iin,
    muleIins: mules.map((m) => m.iin!),
    muleCards: mules.map((m) => m.card!),
    collectorIin: collector.iin!,
  };
}

// ---------------------------------------------------------------------------------------------
// The core system

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
