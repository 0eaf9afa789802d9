/**
 * One entry of the transparency log: what happened, when, to which request, with which document
 * digests — never account data, names or IINs (a subject appears only as a keyed hash).
 *
 * The bytes that are hashed into the tree are the canonical JSON of the entry (sorted keys, no
 * whitespace, UTF-8), exactly as stored in `{NS}:log:entries`. Auditors hash those bytes; they
 * never re-serialise.
 */
import type { ValidateFunction } from 'ajv/dist/2020';
import type Ajv2020 from 'ajv/dist/2020';
import { Art50Error, ErrorCode } from '../errors';
import { createAjv, loadSchema, validateOrThrow } from '../documents/ajv';
import { DOCUMENT_EVENTS } from '../documents/kinds';

/** The deliveries' events: a delivery is no signed document, so it has no kind module to declare them. */
export const DELIVERY_EVENTS = [
  'delivery.queued',
  'delivery.delivered',
  'delivery.acknowledged',
  'delivery.overdue',
  'delivery.push_failed',
  'delivery.fallback_inbox',
] as const;

export type LogEvent = (typeof DOCUMENT_EVENTS)[number] | (typeof DELIVERY_EVENTS)[number];

/** Every event the log records: each document kind's (documents/kinds/), then the deliveries'. schemas/log-entry.schema.json lists the same set (test/documents/kinds.test.ts). */
export const LOG_EVENTS: readonly LogEvent[] = [...DOCUMENT_EVENTS, ...DELIVERY_EVENTS];

export type LogActorRole = 'investigator' | 'first_head' | 'head' | 'prosecutor' | 'bank' | 'bank_officer' | 'auditor' | 'gateway';

/** Lowercase hex SHA-256 digests of the signed documents' content bytes. */
export interface LogDigests {
  request?: string;
  sanction?: string;
  statement?: string;
  /** Encrypted statements: SHA-256 of the stored ciphertext (CMS AuthEnvelopedData DER) the statement's header names. */
  ciphertext?: string;
  /** Encrypted statements: SHA-256 of the bank-signed statement CMS inside the ciphertext, as its header says. */
  signedStatement?: string;
}

export interface LogActor {
  /** Lowercase hex SHA-256 of the actor's certificate (DER). */
  fingerprint: string;
  role: LogActorRole;
}

export interface LogEntry {
  /** Position in the log, assigned by the sequencer (Lua), equal to the leaf index. */
  index: number;
  /** RFC 3339 UTC with milliseconds, e.g. 2025-01-31T12:00:00.000Z — the recording process's clock. */
  time: string;
  event: LogEvent;
  requestId?: string;
  deliveryId?: string;
  statementId?: string;
  /** BIC of the bank concerned. */
  bank?: string;
  digests?: LogDigests;
  actor?: LogActor;
  /** Error-catalogue code of a refusal (request.refused, sanction.refused, statement.refused). */
  code?: string;
  /** Region code of the requesting body. */
  region?: string;
  /** BIN of the requesting police body (an organisation, not a person). */
  body?: string;
  /** delivery.delivered: the delivery's deadline (RFC 3339 UTC, milliseconds), which an answer must not pass to count as in time. */
  deadline?: string;
  /** How a delivery reached the bank. */
  via?: 'inbox' | 'push';
  /** Push attempts made before the fallback to the inbox. */
  attempts?: number;
  /** Criminal Code article of the case, e.g. "190-2-4". */
  article?: string;
  /** Keyed hash (HMAC-SHA256, hex) of the subject's IIN, IBAN or card number (EventLog.subjectKey): lets the prosecutor count requests per subject without the identifier. */
  subjectKey?: string;
  /** statement.received of an encrypted statement: accounts and movements, as its signed header says. */
  counts?: { accounts: number; movements: number };
  /** A statement's result (statement.received): found, not_found, or refused by the bank. */
  result?: 'found' | 'not_found' | 'refused';
}

/** An entry before sequencing: everything but the index. */
export type LogEntryFields = Omit<LogEntry, 'index'>;

/** Canonical JSON: object keys sorted (UTF-16 code-unit order, as RFC 8785) recursively, no whitespace. */
export function canonicalJson(value: unknown): string {
  return canonical(value, '');
}

function canonical(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${path || '/'}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => canonical(v, `${path}/${i}`)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k], `${path}/${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value} at ${path || '/'}`);
  }
}

/**
 * Fast check that `text` is the canonical JSON of `parsed` (which JSON.parse(text) produced):
 * JSON.stringify keeps the text's key order, so equality means no whitespace and standard
 * escapes; then every object's keys must be sorted. (Integer-like keys, which JS objects reorder,
 * do not occur in schema-valid entries.) ~8x cheaper than re-serialising with canonicalJson.
 */
export function isCanonicalText(parsed: unknown, text: string): boolean {
  return JSON.stringify(parsed) === text && keysSorted(parsed);
}

function keysSorted(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (!keysSorted(x)) return false;
    return true;
  }
  // A plain loop: this runs once per entry of a million-entry audit.
  let prev: string | undefined;
  for (const k in v) {
    if (prev !== undefined && prev >= k) return false;
    prev = k;
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === 'object' && x !== null && !keysSorted(x)) return false;
  }
  return true;
}

/** Canonical JSON as UTF-8 bytes. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/** RFC 3339 UTC with milliseconds, the only time format of the log. */
export function logTime(d: Date): string {
  return d.toISOString();
}

/** Validates a parsed entry against schemas/log-entry.schema.json; throws naming the field. */
export type LogEntryValidator = (value: unknown) => LogEntry;

/**
 * Compiles the entry schema once (call in the composition root, or once per audit). `code` is
 * log.bad_entry when sequencing (our own bug) and log.inconsistent when auditing.
 */
export function createLogEntryValidator(ajv: Ajv2020 = createAjv(), code: ErrorCode = 'log.inconsistent'): LogEntryValidator {
  const validate: ValidateFunction = ajv.compile(loadSchema('log-entry'));
  return (value: unknown) => validateOrThrow<LogEntry>(validate, value, code, 'log entry');
}

/** Parses entry bytes (must be canonical JSON of a schema-valid entry) or throws log.inconsistent. */
export function parseLogEntry(bytes: Uint8Array, validate: LogEntryValidator): LogEntry {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Art50Error('log.inconsistent', 'log entry is not JSON', { cause: e });
  }
  const entry = validate(parsed);
  if (!isCanonicalText(entry, text)) throw new Art50Error('log.inconsistent', 'log entry is not canonical JSON');
  return entry;
}
