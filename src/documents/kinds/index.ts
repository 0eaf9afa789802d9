/**
 * Every kind of signed document the gateway accepts, by its `type`. Adding a kind is one module
 * here plus its schema and its shape in DocumentsByType (documents/types.ts); TypeScript then
 * refuses to compile until this map describes it, and the validators, the verifier and the log's
 * event list read it from here.
 */
import type { DocumentsByType, DocumentType } from '../types';
import type { DocumentKindSpec } from './kind';
import { REQUEST } from './request';
import { SANCTION } from './sanction';
import { STATEMENT } from './statement';
import { STATEMENT_HEADER } from './statement-header';

/** Each kind's descriptor under its `type`, typed by its shape (so its afterSchema takes that shape). */
type KindsByType = { readonly [K in DocumentType]: DocumentKindSpec<DocumentsByType[K]> };

export const DOCUMENT_KINDS = {
  request: REQUEST,
  sanction: SANCTION,
  statement: STATEMENT,
  'statement-header': STATEMENT_HEADER,
} as const satisfies KindsByType;

/** The kinds' types, in the order of DOCUMENT_KINDS. */
export const DOCUMENT_TYPES: readonly DocumentType[] = Object.keys(DOCUMENT_KINDS) as DocumentType[];

/** A kind's descriptor, typed by its document's shape (so its afterSchema takes that shape). */
export function documentKind<K extends DocumentType>(type: K): DocumentKindSpec<DocumentsByType[K]> {
  const kinds: KindsByType = DOCUMENT_KINDS;
  return kinds[type];
}

/** Every log event a document kind declares, in the order of DOCUMENT_KINDS. */
export type DocumentEvent = (typeof DOCUMENT_KINDS)[DocumentType]['events'][number];
export const DOCUMENT_EVENTS: readonly DocumentEvent[] = DOCUMENT_TYPES.flatMap((t): readonly DocumentEvent[] => DOCUMENT_KINDS[t].events);
