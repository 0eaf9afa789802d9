import type { StatementHeaderDoc } from '../types';
import type { DocumentKindSpec } from './kind';

/**
 * The bank-signed header of an encrypted statement (schemas/statement-header.schema.json): what
 * the gateway may read of a statement it cannot open. Signed, logged and stored as the statement
 * it describes.
 */
export const STATEMENT_HEADER = {
  type: 'statement-header',
  size: 'small',
  signer: 'as the statement it describes: checkStatementSigner (statement.ts)',
  events: [] as const,
  store: 'src/statements/lua/statement-9.lua',
} satisfies DocumentKindSpec<StatementHeaderDoc>;
