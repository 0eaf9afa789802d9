/**
 * The trail as the supervising prosecutor's office sees it. Statements are for the requesting body
 * only (src/requests/access.ts), yet the office supervises where the money went (issue 18, item 3):
 * it gets the shape of the graph — banks, amounts, currencies, times, hops — without the personal
 * data the statements carry: no holder names or IINs, no payment purposes, no full IBAN or card
 * number anywhere (not in node ids or edge ends either). Pure, like build.ts.
 */
import type { Trail, TrailEdge, TrailNode } from './build';

/** Country code and check digits, then the last four characters: `KZ12…1234`. */
export function maskIban(iban: string): string {
  const compact = iban.replace(/\s+/g, '');
  return `${compact.slice(0, 4)}…${compact.slice(-4)}`;
}

export function forSupervisor(t: Trail): Trail {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  const nodes: TrailNode[] = t.nodes.map((n) => {
    const masked = n.iban !== undefined ? maskIban(n.iban) : undefined;
    // Card ids are already masked (build.ts); an IBAN id becomes its masked form, `~2`, `~3`… when accounts mask alike.
    let id = masked ?? n.id;
    for (let k = 2; taken.has(id); k++) id = `${masked ?? n.id}~${k}`;
    taken.add(id);
    ids.set(n.id, id);
    return {
      id,
      ...(masked !== undefined ? { maskedIban: masked } : {}),
      ...(n.card !== undefined ? { card: n.card } : {}),
      ...(n.bank !== undefined ? { bank: n.bank } : {}),
      hop: n.hop,
      reported: n.reported,
    };
  });
  const node = (id: string): string => ids.get(id) ?? id;
  const edges: TrailEdge[] = t.edges.map((e, i) => ({
    // The builder's edge id may name the accounts; the office gets a position in the time order.
    id: `e${i + 1}`,
    from: node(e.from),
    to: node(e.to),
    amount: e.amount,
    currency: e.currency,
    time: e.time,
    statementId: e.statementId,
    movementId: e.movementId,
    alsoIn: [...e.alsoIn],
    hop: e.hop,
  }));
  return { nodes, edges };
}
