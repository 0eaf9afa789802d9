import { demoMoneyTrail } from '../../src/demo/core-banking/trail';
import { TrailBuilder, TrailStatement } from '../../src/trail/build';
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
