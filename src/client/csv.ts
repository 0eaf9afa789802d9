import type { StatementDoc } from '../documents/types';
import { movementsCsvText } from './csv-text';

export { csvField, MOVEMENT_CSV_COLUMNS, movementsCsvText } from './csv-text';

/** Movements as the CLI writes them: the CSV of csv-text.ts in UTF-8 with a BOM, so Excel opens Cyrillic/Kazakh text correctly. */
export function movementsCsv(statement: StatementDoc): Buffer {
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(movementsCsvText(statement), 'utf8')]);
}

