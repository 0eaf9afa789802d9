import type { Json } from './shared';

/** A statement's accounts and movements as CSV (RFC 4180), one row per movement (or per account without any). */
export function statementCsv(doc: Json): string {
  const q = (v: unknown): string => `"${String(v ?? '').replace(/"/g, '""')}"`;
  const rows = [['iban', 'currency', 'balance', 'balanceAsOf', 'movementId', 'bookedAt', 'amount', 'counterpartyName', 'counterpartyIban', 'counterpartyBic', 'purpose'].join(',')];
  for (const acc of (doc.accounts as Json[] | undefined) ?? []) {
    const bal = (acc.balance as Json | undefined) ?? {};
    const moves = (acc.movements as Json[] | undefined) ?? [];
    if (moves.length === 0) rows.push([acc.iban, acc.currency, bal.amount, bal.asOf, '', '', '', '', '', '', ''].map(q).join(','));
    for (const m of moves) {
      const c = (m.counterparty as Json | undefined) ?? {};
      rows.push([acc.iban, acc.currency, bal.amount, bal.asOf, m.id, m.bookedAt, m.amount, c.name, c.iban, c.bic, m.purpose].map(q).join(','));
    }
  }
  return rows.join('\r\n') + '\r\n';
}
