/**
 * The signed JSON documents (schemas/request|sanction|statement.schema.json), as TypeScript.
 * Hand-written to match the schemas; a value of these types has passed the schema (see
 * validators.ts). Dates are `YYYY-MM-DD`, date-times RFC 3339 with offset, amounts decimal strings.
 */

/** `YYYY-MM-DD`. */
export type IsoDate = string;
/** RFC 3339 date-time with offset, e.g. `2025-03-14T10:15:00+05:00`. */
export type IsoDateTime = string;
/** Decimal string, at most 2 fraction digits, optional leading minus: `"-9000000.00"`. Never a JSON number. */
export type DecimalString = string;

export interface CaseRef {
  /** ERDR number, 15 digits. */
  erdrNumber: string;
  /** Criminal Code article[-part[-paragraph]], e.g. `190-2-4`. */
  article: string;
  description?: string;
}

export interface RequestScope {
  accountList: boolean;
  balances?: { asOf: IsoDate };
  movements?: { from: IsoDate; to: IsoDate };
}

/**
 * The individual a request is about, by exactly one identifier: IIN (every account of the person,
 * known IBANs as hints), a Kazakh IBAN or a payment card number (the holder of that account).
 */
export type RequestSubject =
  | { iin: string; name?: string; knownIbans?: string[]; iban?: never; card?: never }
  | { iban: string; name?: string; iin?: never; card?: never; knownIbans?: never }
  | { card: string; name?: string; iin?: never; iban?: never; knownIbans?: never };

export interface RequestDoc {
  type: 'request';
  version: 1;
  requestId: string;
  createdAt: IsoDateTime;
  case: CaseRef;
  body: { bin: string; name: string };
  signer: { iin: string; name: string; position: string };
  subject: RequestSubject;
  scope: RequestScope;
  /** BICs (unique, at least one) or every bank in the registry. */
  banks: string[] | 'all';
  /** 1..72; absent means 72 (the service applies the default). */
  deadlineHours?: number;
  /** Follow-up hop: the request and statement that led here. */
  parent?: { requestId: string; statementId: string };
}

export type SanctionDecision = 'granted' | 'refused';

export interface SanctionDoc {
  type: 'sanction';
  version: 1;
  sanctionId: string;
  requestId: string;
  /** Lowercase hex SHA-256 of the request's exact signed bytes. */
  requestDigest: string;
  decision: SanctionDecision;
  /** Required and non-blank when refused. */
  reason?: string;
  issuedAt: IsoDateTime;
  validUntil: IsoDateTime;
  prosecutor: { iin: string; bin: string; name?: string };
  case: { erdrNumber: string };
}

export type StatementResult = 'found' | 'not_found' | 'refused';

export const MOVEMENT_CHANNELS = ['branch', 'internet', 'mobile', 'atm', 'pos', 'transfer', 'other'] as const;
export type MovementChannel = (typeof MOVEMENT_CHANNELS)[number];

/** The other side of a movement. At most one of iin / bin. */
export interface Counterparty {
  name?: string;
  iin?: string;
  bin?: string;
  iban?: string;
  /** A card number, when the bank knows no more of the receiver (card-to-card transfer). */
  card?: string;
  bic?: string;
}

export interface StatementMovement {
  id: string;
  bookedAt: IsoDateTime;
  /** Signed: negative debits the account, positive credits it. */
  amount: DecimalString;
  /** ISO 4217 alphabetic code. */
  currency: string;
  counterparty?: Counterparty;
  purpose?: string;
  channel: MovementChannel;
}

export interface StatementAccount {
  iban: string;
  currency: string;
  openedOn: IsoDate;
  closedOn?: IsoDate | null;
  /** Present only when balances were requested. */
  balance?: { amount: DecimalString; asOf: IsoDate };
  /** Present only when movements were requested. */
  movements?: StatementMovement[];
}

export interface StatementDoc {
  type: 'statement';
  version: 1;
  statementId: string;
  requestId: string;
  /** Lowercase hex SHA-256 of the request's exact signed bytes. */
  requestDigest: string;
  bank: { bic: string; bin: string };
  /** Whose accounts these are: the request's subject, or the holder of the IBAN or card asked about. */
  subject?: { iin: string; name?: string };
  generatedAt: IsoDateTime;
  result: StatementResult;
  /** Required and non-blank when refused. */
  reason?: string;
  /** statementId of an earlier statement this one replaces. */
  corrects?: string;
  /** Required for found (may be empty); empty or absent otherwise. */
  accounts?: StatementAccount[];
}

/**
 * The part of an encrypted statement the gateway reads (schemas/statement-header.schema.json),
 * signed by the bank: binding, result, counts and the digests of what the ciphertext holds.
 */
export interface StatementHeaderDoc {
  type: 'statement-header';
  version: 1;
  statementId: string;
  requestId: string;
  requestDigest: string;
  deliveryId?: string;
  bank: { bic: string; bin: string };
  generatedAt: IsoDateTime;
  result: StatementResult;
  corrects?: string;
  counts: { accounts: number; movements: number };
  /** Lowercase hex SHA-256: the statement's JSON bytes, its CMS SignedData DER, the AuthEnvelopedData DER. */
  digests: { statement: string; signedStatement: string; ciphertext: string };
}

/**
 * Every signed document's shape by its `type`: the one list of kinds. DOCUMENT_KINDS
 * (documents/kinds/) must describe each, and the validators and the verifier are typed from it.
 */
export interface DocumentsByType {
  request: RequestDoc;
  sanction: SanctionDoc;
  statement: StatementDoc;
  'statement-header': StatementHeaderDoc;
}
export type DocumentType = keyof DocumentsByType;
export type AnyDocument = RequestDoc | SanctionDoc | StatementDoc;
