import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { Art50Error } from '../errors';
import { describeAjvError, loadSchema } from './ajv';
import { firstDuplicateMember } from './duplicate-members';
import { jsonPointer } from './pointer';
import { DOCUMENT_TYPES, documentKind } from './kinds';
import type { DocumentsByType, DocumentType } from './types';

/**
 * Typed validators of the signed document types, one per kind of DOCUMENT_KINDS (documents/kinds/);
 * each returns the value typed, or throws Art50Error 'document.type' / 'document.schema' naming the
 * field. Each schema is compiled once, and a kind's afterSchema checks follow it.
 */
export type DocumentValidators = { readonly [K in DocumentType]: (json: unknown) => DocumentsByType[K] };

/**
 * Sentences for errors whose Ajv wording would mislead (combinators, `false` schemas, patterns that
 * only say "not blank"). Keyed by the end of the schema path.
 */
const FRIENDLY: { path: RegExp; field: (e: ErrorObject) => string; detail: (field: string) => string }[] = [
  {
    path: /^#\/properties\/scope\/anyOf\//,
    field: () => '/scope',
    detail: () => 'field /scope asks for nothing: set accountList to true or ask for balances or movements',
  },
  {
    path: /^#\/properties\/subject\/oneOf\//,
    field: () => '/subject',
    detail: () => 'field /subject must name the individual by exactly one of iin, iban or card (knownIbans goes with iin only)',
  },
  {
    path: /^#\/properties\/subject\/oneOf$/,
    field: () => '/subject',
    detail: () => 'field /subject must name the individual by exactly one of iin, iban or card (knownIbans goes with iin only)',
  },
  {
    path: /^#\/properties\/banks\/oneOf\/0\/type$/,
    field: () => '/banks',
    detail: () => 'field /banks must be a list of BICs or the string "all"',
  },
  {
    path: /^#\/properties\/banks\/oneOf\/1\/const$/,
    field: () => '/banks',
    detail: () => 'field /banks must be a list of BICs or the string "all"',
  },
  {
    path: /\/dependentSchemas\/iin\/properties\/bin\/false schema$/,
    field: (e) => e.instancePath,
    detail: (f) => `field ${f} is not allowed together with iin: a counterparty is an individual or an organisation`,
  },
  {
    path: /\/then\/properties\/reason\/(minLength|pattern)$/,
    field: () => '/reason',
    detail: () => 'field /reason must not be blank when the decision or result is refused',
  },
  {
    path: /\/then\/properties\/accounts\/maxItems$/,
    field: () => '/accounts',
    detail: () => 'field /accounts must be empty or absent unless result is found',
  },
  {
    path: /\/requestDigest\/pattern$/,
    field: (e) => e.instancePath,
    detail: (f) => `field ${f} must be 64 lowercase hex digits (sha256 of the request's signed bytes)`,
  },
  {
    path: /\/article\/pattern$/,
    field: (e) => e.instancePath,
    detail: (f) => `field ${f} must be an article number with optional part and paragraph, e.g. 190-2-4`,
  },
  {
    path: /\/currency\/pattern$/,
    field: (e) => e.instancePath,
    detail: (f) => `field ${f} must be an ISO 4217 code of 3 capital letters`,
  },
  {
    path: /\/pattern$/,
    field: (e) => e.instancePath || '/',
    detail: (f) => `field ${f} does not have the expected form`,
  },
];

/** The field pointer and a sentence for the first error Ajv reported. */
export function describeSchemaError(errors: readonly ErrorObject[] | null | undefined): { field: string; detail: string } {
  const first = errors?.[0];
  if (!first) return { field: '/', detail: 'document is invalid' };
  for (const f of FRIENDLY) {
    if (f.path.test(first.schemaPath)) {
      const field = f.field(first);
      return { field, detail: f.detail(field) };
    }
  }
  return describeAjvError(first);
}

function compileOnce(ajv: Ajv2020, name: DocumentType): ValidateFunction {
  const schema = loadSchema(name);
  const id = typeof schema.$id === 'string' ? schema.$id : undefined;
  const existing = id !== undefined ? ajv.getSchema(id) : undefined;
  return existing ?? ajv.compile(schema);
}

function makeValidator<T>(validate: ValidateFunction, type: DocumentType, after?: (doc: T) => void): (json: unknown) => T {
  return (json: unknown): T => {
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      const t = (json as Record<string, unknown>).type;
      if (typeof t === 'string' && t !== type) {
        throw new Art50Error('document.type', `expected a ${type} document, got type ${JSON.stringify(t.slice(0, 40))}`, { field: '/type' });
      }
    }
    if (validate(json)) {
      after?.(json as T);
      return json as T;
    }
    const { field, detail } = describeSchemaError(validate.errors);
    throw new Art50Error('document.schema', `${type}: ${detail}`, { field });
  };
}

/** Compiles each kind's schema once on `ajv` (from createAjv()) and returns typed validators. */
export function createDocumentValidators(ajv: Ajv2020): DocumentValidators {
  const validatorOf = <K extends DocumentType>(kind: K): ((json: unknown) => DocumentsByType[K]) =>
    makeValidator(compileOnce(ajv, kind), kind, documentKind(kind).afterSchema);
  // Object.fromEntries loses the pairing of each key with its validator's type; validatorOf keeps it per kind.
  return Object.fromEntries(DOCUMENT_TYPES.map((kind) => [kind, validatorOf(kind)])) as DocumentValidators;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses the content bytes of a signed document. Refuses more than `maxBytes` bytes
 * ('document.too_large'), bytes that are not UTF-8 or not JSON ('document.not_json'), a member name
 * twice in one object ('document.duplicate_key'); never throws
 * a raw SyntaxError. A leading UTF-8 byte order mark is tolerated (RFC 8259 §8.1).
 */
export function parseJsonDocument(content: Buffer, maxBytes: number): unknown {
  if (content.length > maxBytes) {
    throw new Art50Error('document.too_large', `document is ${content.length} bytes, the limit is ${maxBytes}`);
  }
  if (content.length === 0) throw new Art50Error('document.not_json', 'document content is empty');
  let text: string;
  try {
    text = UTF8.decode(content);
  } catch (e) {
    throw new Art50Error('document.not_json', 'document content is not valid UTF-8', { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (e) {
    // RangeError for absurd nesting lands here too; the message of a SyntaxError may quote content, so it is not repeated.
    throw new Art50Error('document.not_json', 'document content is not valid JSON', { cause: e });
  }
  const duplicate = firstDuplicateMember(text);
  if (duplicate) {
    const field = jsonPointer(duplicate);
    throw new Art50Error('document.duplicate_key', `member ${field} appears twice in one object; a signed document must name each member once`, { field });
  }
  return json;
}
