/**
 * Every kind of signed document the gateway accepts, by its `type`. Adding a kind is one module
 * here plus its schema; TypeScript then asks for it wherever kinds are listed (DocumentType).
 */
import type { DocumentType } from '../types';
import type { DocumentKindSpec } from './kind';
import { REQUEST } from './request';
import { SANCTION } from './sanction';
import { STATEMENT } from './statement';
import { STATEMENT_HEADER } from './statement-header';

export const DOCUMENT_KINDS = {
  request: REQUEST,
  sanction: SANCTION,
  statement: STATEMENT,
  'statement-header': STATEMENT_HEADER,
} as const satisfies Record<DocumentType, DocumentKindSpec<never>>;
