/**
 * The money trail of a case as a graph, built from bank statements: nodes are accounts, edges are
 * movements. Pure and free of Node APIs, so the gateway (statements it can read) and the console
 * (statements the body decrypts in the browser) build the same graph with the same code.
 */
import { maskCardNumber } from '../documents/check-digits';

/** The part of a statement document (schemas/statement.schema.json) the trail reads. */
export interface TrailStatement {
  statementId: string;
  requestId: string;
  bank: { bic: string };
  subject?: { iin: string };
  accounts?: Array<{
    iban: string;
    currency: string;
    movements?: Array<{
      id: string;
      bookedAt: string;
      amount: string;
      currency?: string;
      purpose?: string;
      /** `card`: a card-to-card transfer where the bank knows no more of the other side. */
      counterparty?: { name?: string; iin?: string; bin?: string; iban?: string; bic?: string; card?: string };
    }>;
  }>;
}

export interface TrailNode {
  /**
   * The IBAN (an account is a node); for an account known only by a payment card, `card:` and the
   * masked number (`~2`, `~3`… when different cards of the trail mask alike), so no full card
   * number is in an id, which people read and which goes into exports.
   */
  id: string;
  /** The account's IBAN; absent for an account known only by a card, and for the supervising prosecutor (src/trail/supervision.ts). */
  iban?: string;
  /** For the supervising prosecutor instead of `iban`: country, check digits and last 4 (`KZ12…1234`). */
  maskedIban?: string;
  /** An account known only by a payment card: its number masked (first 6 and last 4 digits), as people read it. */
  card?: string;
  /**
   * The full card number, for the requesting body, whose own statements carry it; `withoutCardNumbers`
   * removes it for anyone else (a supervising prosecutor does not read the statements).
   */
  cardNumber?: string;
  holder?: { name?: string; iin?: string; bin?: string };
  /** BIC of the account's bank, when a statement or a counterparty names it. */
  bank?: string;
  /** Steps from the case subject's accounts along outgoing money; null: not downstream (e.g. where the money came from). */
  hop: number | null;
  /** An account a bank reported on (not only seen as a counterparty). */
  reported: boolean;
}

export interface TrailEdge {
  id: string;
  from: string;
  to: string;
  /** Positive decimal string. */
  amount: string;
  currency: string;
  /** bookedAt as the bank wrote it. */
  time: string;
  purpose?: string;
  /** The statement the movement comes from (the first one read, when both banks report it). */
  statementId: string;
  movementId: string;
  /** Other statements reporting the same movement (the other side's bank). */
  alsoIn: string[];
  /** 1 for money leaving the subject's accounts, 2 for the next step, …; 0 for money coming in. */
  hop: number;
}

export interface Trail {
  nodes: TrailNode[];
  edges: TrailEdge[];
}

export interface AddOptions {
  /** The statement answers the case's first request: its accounts are where the trail starts. */
  root?: boolean;
  /** Who holds the statement's accounts: the request's subject. */
  holder?: { name?: string; iin?: string };
}

/** Collects statements in any order; `build()` orders the hops. */
export class TrailBuilder {
  private readonly nodes = new Map<string, Omit<TrailNode, 'hop'>>();
  private readonly edges = new Map<string, Omit<TrailEdge, 'hop'>>();
  private readonly roots = new Set<string>();
  /** Transfer (ends, amount, currency, instant) → ids of its edges, to pair a movement with the other bank's report of it. */
  private readonly byTransfer = new Map<string, string[]>();
  /** Edge id → the reports it holds, `statementId|iban` (`statementId|*`: a statement of a trail built before, account unknown). */
  private readonly sides = new Map<string, Set<string>>();
  /** Full card number → node id. */
  private readonly cards = new Map<string, string>();

  /**
   * A builder holding a trail built before (e.g. the gateway's, from the statements it can read),
   * so more statements (those the body decrypts) can be added and the hops counted again.
   */
  static extend(t: Trail): TrailBuilder {
    const b = new TrailBuilder();
    for (const { hop, ...n } of t.nodes) {
      b.nodes.set(n.id, { ...n, ...(n.holder ? { holder: { ...n.holder } } : {}) });
      if (n.cardNumber !== undefined) b.cards.set(n.cardNumber, n.id);
      if (hop === 0) b.roots.add(n.id);
    }
    for (const { hop, ...e } of t.edges) {
      void hop;
      b.edges.set(e.id, { ...e, alsoIn: [...e.alsoIn] });
      const key = transferKey(e.from, e.to, e.amount, e.currency, e.time);
      b.byTransfer.set(key, [...(b.byTransfer.get(key) ?? []), e.id]);
      b.sides.set(e.id, new Set([e.statementId, ...e.alsoIn].map((sid) => `${sid}|*`)));
    }
    return b;
  }

  add(s: TrailStatement, opts: AddOptions = {}): this {
    const holder = opts.holder ?? (s.subject ? { iin: s.subject.iin } : undefined);
    for (const a of s.accounts ?? []) {
      this.node({ id: a.iban, iban: a.iban }, { bank: s.bank.bic, ...(holder ? { holder } : {}), reported: true });
      if (opts.root) this.roots.add(a.iban);
      for (const m of a.movements ?? []) {
        const c = m.counterparty;
        // An IBAN names the account; a card alone (card-to-card transfer) names it as well as the bank
        // could. Cash and fees: no account on the other side.
        const other = c?.iban ? { id: c.iban, iban: c.iban } : c?.card ? this.cardAccount(c.card) : undefined;
        if (!c || !other) continue;
        this.node(other, { ...(c.bic ? { bank: c.bic } : {}), holder: pick(c), reported: false });
        const out = m.amount.startsWith('-');
        const from = out ? a.iban : other.id;
        const to = out ? other.id : a.iban;
        const amount = out ? m.amount.slice(1) : m.amount.replace(/^\+/, '');
        const currency = m.currency ?? a.currency;
        // The same transfer in the sender's and the receiver's reports (two banks' statements, or
        // two accounts of one statement) is one edge: a movement pairs one-to-one with an edge no
        // movement of its own account in its own statement has taken. Movements of one account are
        // never merged: two equal transfers in the same second (a mule splitting a sum) are two edges.
        const key = transferKey(from, to, amount, currency, m.bookedAt);
        const side = `${s.statementId}|${a.iban}`;
        const candidates = this.byTransfer.get(key) ?? [];
        const seen = candidates.find((c) => !this.sides.get(c)!.has(side) && !this.sides.get(c)!.has(`${s.statementId}|*`));
        if (seen !== undefined) {
          this.sides.get(seen)!.add(side);
          const e = this.edges.get(seen)!;
          if (e.statementId !== s.statementId && !e.alsoIn.includes(s.statementId)) e.alsoIn.push(s.statementId);
          continue;
        }
        let id = `${s.statementId}/${m.id}`;
        for (let n = 2; this.edges.has(id); n++) id = `${s.statementId}/${m.id}~${n}`;
        this.edges.set(id, { id, from, to, amount, currency, time: m.bookedAt, ...(m.purpose ? { purpose: m.purpose } : {}), statementId: s.statementId, movementId: m.id, alsoIn: [] });
        this.byTransfer.set(key, [...candidates, id]);
        this.sides.set(id, new Set([side]));
      }
    }
    return this;
  }

  /** The node of a card-only account: the same card is the same node, whichever statement names it. */
  private cardAccount(cardNumber: string): Pick<TrailNode, 'id' | 'card' | 'cardNumber'> {
    const card = maskCardNumber(cardNumber);
    let id = this.cards.get(cardNumber);
    if (id === undefined) {
      id = `card:${card}`;
      for (let n = 2; this.nodes.has(id); n++) id = `card:${card}~${n}`;
      this.cards.set(cardNumber, id);
    }
    return { id, card, cardNumber };
  }

  private node(account: Pick<TrailNode, 'id' | 'iban' | 'card' | 'cardNumber'>, n: { bank?: string; holder?: TrailNode['holder']; reported: boolean }): void {
    const old = this.nodes.get(account.id);
    if (!old) {
      this.nodes.set(account.id, { ...account, ...(n.bank ? { bank: n.bank } : {}), ...(n.holder ? { holder: n.holder } : {}), reported: n.reported });
      return;
    }
    // A bank's own report of an account beats what a counterparty line says about it.
    if (n.reported && !old.reported) {
      old.reported = true;
      if (n.bank) old.bank = n.bank;
    }
    old.bank ??= n.bank;
    old.holder = { ...n.holder, ...old.holder };
  }

  /** Nodes and edges, edges in time order, hops counted from the root accounts (breadth first). */
  build(): Trail {
    const dist = new Map<string, number>();
    const outgoing = new Map<string, Array<Omit<TrailEdge, 'hop'>>>();
    for (const e of this.edges.values()) outgoing.set(e.from, [...(outgoing.get(e.from) ?? []), e]);
    let frontier = [...this.roots];
    for (const r of frontier) dist.set(r, 0);
    for (let d = 1; frontier.length > 0; d++) {
      const next: string[] = [];
      for (const n of frontier) {
        for (const e of outgoing.get(n) ?? []) {
          if (!dist.has(e.to)) {
            dist.set(e.to, d);
            next.push(e.to);
          }
        }
      }
      frontier = next;
    }
    const nodes = [...this.nodes.values()].map((n) => ({ ...n, hop: dist.get(n.id) ?? null }));
    const edges = [...this.edges.values()]
      .map((e) => ({ ...e, alsoIn: [...e.alsoIn], hop: dist.has(e.from) ? dist.get(e.from)! + 1 : 0 }))
      .sort((a, b) => instant(a.time) - instant(b.time) || a.id.localeCompare(b.id));
    return { nodes: nodes.sort((a, b) => (a.hop ?? -1) - (b.hop ?? -1) || a.id.localeCompare(b.id)), edges };
  }
}

/** How people read an account: its IBAN (masked for the supervising prosecutor), or the masked card number. */
export function accountLabel(n: Pick<TrailNode, 'id' | 'iban' | 'maskedIban' | 'card'>): string {
  return n.iban ?? n.maskedIban ?? (n.card !== undefined ? `card ${n.card}` : n.id);
}

/** The trail for a reader whose own data does not carry the card numbers: masked only. */
export function withoutCardNumbers<T extends Trail>(t: T): T {
  return { ...t, nodes: t.nodes.map(({ cardNumber, ...n }) => (void cardNumber, n)) };
}

function pick(c: { name?: string; iin?: string; bin?: string }): TrailNode['holder'] {
  return { ...(c.name ? { name: c.name } : {}), ...(c.iin ? { iin: c.iin } : {}), ...(c.bin ? { bin: c.bin } : {}) };
}

function transferKey(from: string, to: string, amount: string, currency: string, time: string): string {
  return `${from}>${to}|${normalAmount(amount)}|${currency}|${instant(time)}`;
}

/** "1500.50" and "1500.5" are the same amount. */
function normalAmount(a: string): string {
  const [i = '0', f = ''] = a.split('.');
  const frac = f.replace(/0+$/, '');
  return `${i.replace(/^0+(?=\d)/, '')}${frac ? `.${frac}` : ''}`;
}

function instant(t: string): number {
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}
