import type { StatementDoc } from '../documents/types';

/**
 * Movements as CSV (RFC 4180). The card column comes last (added later), so spreadsheets built on
 * the earlier columns keep working. Pure (no Buffer): the CLI (csv.ts, with the BOM) and the
 * browser console write the same file.
 */

export const MOVEMENT_CSV_COLUMNS = [
  'iban', 'bookedAt', 'amount', 'currency', 'counterparty name', 'counterparty iin/bin',
  'counterparty iban', 'counterparty bic', 'purpose', 'channel', 'counterparty card',
] as const;

const NUMBER_RE = /^-?\d+(\.\d+)?$/;

/**
 * One CSV field: quoted when it holds a comma, quote, CR or LF (quotes doubled). Text that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) gets a leading apostrophe;
 * plain numbers such as "-9000000.00" stay numbers.
 */
export function csvField(value: string | undefined | null): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v) && !NUMBER_RE.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The CSV text, without the BOM. */
export function movementsCsvText(statement: StatementDoc): string {
  const lines = [MOVEMENT_CSV_COLUMNS.map(csvField).join(',')];
  for (const a of statement.accounts ?? []) {
    for (const m of a.movements ?? []) {
      const c = m.counterparty ?? {};
      lines.push([
        a.iban, m.bookedAt, m.amount, m.currency, c.name, c.iin ?? c.bin, c.iban, c.bic, m.purpose, m.channel, c.card,
      ].map(csvField).join(','));
    }
  }
  return lines.join('\r\n') + '\r\n';
}
