import { demoMoneyTrail } from '../../src/demo/core-banking/trail';
import { completeCardNumber, maskCardNumber } from '../../src/documents/check-digits';
import { accountLabel, TrailBuilder, TrailStatement, withoutCardNumbers } from '../../src/trail/build';
import { trailGraphml } from '../../src/trail/graphml';

/** The demo trail's transfers as the two banks of each transfer would report them. */
function statementsOf(trail = demoMoneyTrail()): TrailStatement[] {
  const party = new Map(trail.parties.map((p) => [p.key, p]));
  const out: TrailStatement[] = [];
  for (const p of trail.parties) {
    const movements = trail.transfers.flatMap((t, i) => {
      if (t.from !== p.key && t.to !== p.key) return [];
      const other = party.get(t.from === p.key ? t.to : t.from)!;
      return [{ id: `m${i}`, bookedAt: t.bookedAt, amount: t.from === p.key ? `-${t.amount}` : t.amount, purpose: t.purpose ?? '', counterparty: { name: other.name, ...(other.iin ? { iin: other.iin } : { bin: other.bin! }), iban: other.iban, bic: other.bic } }];
    });
    out.push({ statementId: `s-${p.key}`, requestId: `r-${p.key}`, bank: { bic: p.bic }, ...(p.iin ? { subject: { iin: p.iin } } : {}), accounts: [{ iban: p.iban, currency: 'KZT', movements }] });
  }
  return out;
}

describe('TrailBuilder', () => {
  const trail = demoMoneyTrail();
  const iban = (key: string): string => trail.parties.find((p) => p.key === key)!.iban;

  it('builds one edge per transfer however many statements report it, with hops from the subject', () => {
    const statements = statementsOf(trail);
    const b = new TrailBuilder();
    for (const s of statements) b.add(s, { root: s.statementId === 's-subject' });
    const g = b.build();
    expect(g.nodes).toHaveLength(trail.parties.length);
    expect(g.edges).toHaveLength(trail.transfers.length);
    const hop = (key: string): number | null => g.nodes.find((n) => n.iban === iban(key))!.hop;
    expect(hop('subject')).toBe(0);
    expect(hop('loan')).toBeNull();
    for (let i = 1; i <= 7; i++) expect(hop(`mule${i}`)).toBe(1);
    expect(hop('collector')).toBe(2);
    expect(hop('exchange')).toBe(2);
    const mules = g.nodes.filter((n) => n.hop === 1);
    expect(new Set(mules.map((n) => n.bank))).toEqual(new Set(['BETAKZKA', 'GAMMKZKA']));
    const loan = g.edges.find((e) => e.from === iban('loan'))!;
    expect(loan).toMatchObject({ to: iban('subject'), amount: '16500000.00', currency: 'KZT', hop: 0, statementId: 's-loan', alsoIn: ['s-subject'] });
    expect(g.edges.filter((e) => e.hop === 2).length).toBe(7);
    expect(g.edges.filter((e) => e.hop === 3).length).toBe(1); // collector → exchange, the next day
    // Edges in time order.
    expect(g.edges.map((e) => Date.parse(e.time))).toEqual([...g.edges.map((e) => Date.parse(e.time))].sort((x, y) => x - y));
  });

  it('prefers what a bank reports about its own account and names the holder from the request', () => {
    const [loan, subject] = statementsOf(trail);
    const g = new TrailBuilder().add(loan!).add(subject!, { root: true, holder: { iin: '920614300911', name: 'Subject Demo-One' } }).build();
    const node = g.nodes.find((n) => n.iban === iban('subject'))!;
    expect(node).toMatchObject({ reported: true, bank: 'ALFAKZKA', holder: { iin: '920614300911', name: 'Subject Demo-One' } });
  });

  it('extends a trail built before with more statements (what the body decrypts) into the same graph', () => {
    const statements = statementsOf(trail);
    const all = new TrailBuilder();
    for (const s of statements) all.add(s, { root: s.statementId === 's-subject' });
    const half = new TrailBuilder();
    for (const s of statements.slice(0, 5)) half.add(s, { root: s.statementId === 's-subject' });
    const more = TrailBuilder.extend(half.build());
    for (const s of statements.slice(5)) more.add(s, { root: s.statementId === 's-subject' });
    expect(more.build()).toEqual(all.build());
  });

  it('exports GraphML with every node and edge, escaped', () => {
    const b = new TrailBuilder();
    for (const s of statementsOf(trail)) b.add(s, { root: s.statementId === 's-subject' });
    const g = b.build();
    g.edges[0]!.purpose = 'a <b> & "c"';
    const xml = trailGraphml(g, 'case');
    expect(xml.match(/<node /g)).toHaveLength(g.nodes.length);
    expect(xml.match(/<edge /g)).toHaveLength(g.edges.length);
    expect(xml).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(xml).toContain(`<edge id="e0" source="${g.edges[0]!.from}" target="${g.edges[0]!.to}">`);
  });
});

describe('TrailBuilder: counterparties known only by a payment card', () => {
  // Two cards of one issuer whose masks (first 6, last 4) are the same, and a third.
  const cardA = completeCardNumber('440043000000123');
  const cardB = completeCardNumber('440043000018123'); // 4400430000181237: the same check digit as cardA
  const cardC = completeCardNumber('522222000000777');
  const subjectIban = 'KZ86125KZT5004100100';
  const statement = (statementId: string, cards: Array<{ card: string; amount: string; at: string }>): TrailStatement => ({
    statementId, requestId: 'r-1', bank: { bic: 'ALFAKZKA' }, subject: { iin: '920614300911' },
    accounts: [{ iban: subjectIban, currency: 'KZT', movements: cards.map((c, i) => ({ id: `${statementId}-m${i}`, bookedAt: c.at, amount: c.amount, counterparty: { name: 'Card holder', card: c.card } })) }],
  });
  const first = statement('s-1', [
    { card: cardA, amount: '-100000.00', at: '2026-11-02T10:00:00+05:00' },
    { card: cardB, amount: '-50000.00', at: '2026-11-02T11:00:00+05:00' },
  ]);
  const later = statement('s-2', [
    { card: cardA, amount: '-70000.00', at: '2026-11-03T09:00:00+05:00' },
    { card: cardC, amount: '20000.00', at: '2026-11-03T12:00:00+05:00' },
  ]);

  it('adds a node per card, labelled by the masked number, the full number beside it; the same card is one node', () => {
    expect(maskCardNumber(cardB)).toBe(maskCardNumber(cardA));
    const g = new TrailBuilder().add(first, { root: true }).add(later, { root: true }).build();
    const cards = g.nodes.filter((n) => n.card !== undefined);
    expect(cards).toHaveLength(3);
    const a = cards.find((n) => n.cardNumber === cardA)!;
    const b = cards.find((n) => n.cardNumber === cardB)!;
    const c = cards.find((n) => n.cardNumber === cardC)!;
    expect(a).toMatchObject({ id: `card:${maskCardNumber(cardA)}`, card: maskCardNumber(cardA), hop: 1, reported: false, holder: { name: 'Card holder' } });
    expect(a.iban).toBeUndefined();
    expect(b.id).toBe(`card:${maskCardNumber(cardB)}~2`);
    expect(b.card).toBe(a.card);
    expect(c).toMatchObject({ hop: null, card: '522222******7778' });
    expect(g.edges.filter((e) => e.to === a.id).map((e) => e.amount)).toEqual(['100000.00', '70000.00']);
    expect(g.edges.find((e) => e.to === b.id)).toMatchObject({ from: subjectIban, amount: '50000.00', hop: 1 });
    expect(g.edges.find((e) => e.from === c.id)).toMatchObject({ to: subjectIban, amount: '20000.00', hop: 0 });
    expect(accountLabel(a)).toBe(`card ${maskCardNumber(cardA)}`);
    expect(accountLabel(g.nodes.find((n) => n.iban === subjectIban)!)).toBe(subjectIban);
    // No full number in an id, a label or the GraphML export.
    const xml = trailGraphml(g);
    for (const pan of [cardA, cardB, cardC]) {
      expect(xml).not.toContain(pan);
      expect(JSON.stringify([g.edges, g.nodes.map((n) => [n.id, n.card, accountLabel(n)])])).not.toContain(pan);
    }
    expect(xml).toContain(`<data key="n_account">card ${maskCardNumber(cardA)}</data>`);
  });

  it('keeps full card numbers out of the trail given to a reader whose data does not carry them', () => {
    const g = withoutCardNumbers(new TrailBuilder().add(first, { root: true }).build());
    expect(g.nodes.filter((n) => n.card !== undefined)).toHaveLength(2);
    expect(g.nodes.every((n) => n.cardNumber === undefined)).toBe(true);
    expect(JSON.stringify(g)).not.toContain(cardA);
    expect(JSON.stringify(g)).not.toContain(cardB);
  });

  it('extends a trail with a statement naming a card already in it: the same node', () => {
    const more = TrailBuilder.extend(new TrailBuilder().add(first, { root: true }).build()).add(later, { root: true });
    expect(more.build()).toEqual(new TrailBuilder().add(first, { root: true }).add(later, { root: true }).build());
  });
});

describe('TrailBuilder: which movements are one transfer', () => {
  const A = 'KZ11ALFA000000000001';
  const B = 'KZ22BETA000000000002';
  const C = 'KZ33ALFA000000000003';
  const at = '2025-03-01T10:00:00+05:00';
  const sender = (ids: string[]): TrailStatement => ({
    statementId: 's-alfa', requestId: 'r1', bank: { bic: 'ALFAKZKA' },
    accounts: [{ iban: A, currency: 'KZT', movements: ids.map((id) => ({ id, bookedAt: at, amount: '-490000.00', counterparty: { iban: B, bic: 'BETAKZKA' } })) }],
  });
  const receiver = (ids: string[]): TrailStatement => ({
    statementId: 's-beta', requestId: 'r2', bank: { bic: 'BETAKZKA' },
    // Same instant written in another zone, amount written differently: still the same transfers.
    accounts: [{ iban: B, currency: 'KZT', movements: ids.map((id) => ({ id, bookedAt: '2025-03-01T05:00:00Z', amount: '490000', counterparty: { iban: A, bic: 'ALFAKZKA' } })) }],
  });

  it('keeps two equal movements of one statement (same amount, same second) as two edges', () => {
    const g = new TrailBuilder().add(sender(['m1', 'm2']), { root: true }).build();
    expect(g.edges.map((e) => e.movementId).sort()).toEqual(['m1', 'm2']);
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(2);
    expect(g.edges.every((e) => e.from === A && e.to === B && e.hop === 1)).toBe(true);
  });

  it('pairs the receiving bank\'s reports with the paying bank\'s one to one', () => {
    const both = new TrailBuilder().add(sender(['m1', 'm2']), { root: true }).add(receiver(['n1', 'n2'])).build();
    expect(both.edges).toHaveLength(2);
    expect(both.edges.map((e) => e.alsoIn)).toEqual([['s-beta'], ['s-beta']]);
    // The receiver reports one of the two: one edge is confirmed by both banks, the other by the payer only.
    const one = new TrailBuilder().add(receiver(['n1'])).add(sender(['m1', 'm2']), { root: true }).build();
    expect(one.edges).toHaveLength(2);
    expect(one.edges.map((e) => e.alsoIn.length + 1).sort()).toEqual([1, 2]);
    // Three movements on the receiving side against two on the paying side: three transfers.
    expect(new TrailBuilder().add(sender(['m1', 'm2'])).add(receiver(['n1', 'n2', 'n3'])).build().edges).toHaveLength(3);
  });

  it('pairs a transfer between two accounts of one statement (both sides reported there) into one edge', () => {
    const own: TrailStatement = {
      statementId: 's-own', requestId: 'r1', bank: { bic: 'ALFAKZKA' },
      accounts: [
        { iban: A, currency: 'KZT', movements: [{ id: 'out', bookedAt: at, amount: '-100.00', counterparty: { iban: C } }] },
        { iban: C, currency: 'KZT', movements: [{ id: 'in', bookedAt: at, amount: '100.00', counterparty: { iban: A } }] },
      ],
    };
    const g = new TrailBuilder().add(own, { root: true }).build();
    expect(g.edges).toHaveLength(1);
    expect(g.edges[0]).toMatchObject({ from: A, to: C, alsoIn: [] });
  });

  it('keeps the split transfers apart when a trail built before is extended with the receiver\'s statement', () => {
    const before = new TrailBuilder().add(sender(['m1', 'm2']), { root: true }).build();
    const g = TrailBuilder.extend(before).add(receiver(['n1', 'n2'])).build();
    expect(g.edges).toHaveLength(2);
    expect(g.edges.map((e) => e.alsoIn)).toEqual([['s-beta'], ['s-beta']]);
  });
});
