/**
 * What describes a kind of signed document, in one place: its `type` and JSON Schema, the checks
 * that follow the schema, how large its content may be, who may sign it, what the log records for
 * it and where it is stored. One module per kind (request.ts, sanction.ts, statement.ts,
 * statement-header.ts) exports its descriptor and its signer rule; validators, the verifier and
 * the log's event list read from them (docs/documents.md, "Adding a document kind").
 */
export interface DocumentKindSpec<T extends { type: string }, E extends string = string> {
  /** The document's `type` member; its schema is schemas/<type>.schema.json. */
  readonly type: T['type'];
  /** Checks that JSON Schema cannot express, run after the schema (e.g. check digits); throw Art50Error. */
  readonly afterSchema?: (doc: T) => void;
  /** 'small': content up to ART50_SMALL_DOCUMENT_LIMIT; 'body': bounded only by the endpoint's body limit (statements). */
  readonly size: 'small' | 'body';
  /** Who may sign it, in words; the rule itself is the kind module's check…Signer function. */
  readonly signer: string;
  /** Log events the gateway records for this kind (docs/log.md), in the order the log lists them. */
  readonly events: readonly E[];
  /** Where it is stored: the Lua script that stores it atomically with its log entry ('' for none of its own). */
  readonly store: string;
}
