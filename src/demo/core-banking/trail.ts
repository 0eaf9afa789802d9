import { fromMinor, toMinor } from '../../documents/amounts';
import { inventBin, inventCard, inventIban, inventIin, FIRST, LAST } from './invent';
import { hash32, int, mulberry32, pick } from './random';
import type { MoneyTrail, PeerBank, TrailParty, TrailSpec, TrailTransfer } from './types';
import { dateOf, dayNumber, KZ_OFFSET, pad2 } from './values';

/**
 * Planted money trails: known accounts and transfers across banks, so the demo can follow the
 * money hop by hop; and the scripted case of the demo itself.
 */

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
