import type { SubjectIdentifier } from '../../documents/subject';
import type { DecimalString, MovementChannel, RequestScope, StatementAccount } from '../../documents/types';

/** The demo core banking system's shapes: the bank it plays, its answers, and the money trails planted in it. */

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
