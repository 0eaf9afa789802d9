import { movementsCsvText } from '../../src/client/csv-text';
import type { StatementDoc } from '../../src/documents/types';
import type { Json } from './shared';

/**
 * A statement's movements as CSV: the same file `art50 police fetch` writes (src/client/csv.ts:
 * RFC 4180, formula-looking text defused, UTF-8 with a BOM so spreadsheets read Cyrillic and Kazakh).
 */
export function statementCsv(doc: Json): string {
  return `\uFEFF${movementsCsvText(doc as unknown as StatementDoc)}`;
}
