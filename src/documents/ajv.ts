import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Art50Error, ErrorCode } from '../errors';
import { boundPointer, pointerSegment } from './pointer';
import { isValidBic, isValidBin, isValidCardNumber, isValidIban, isValidIin, isValidKzId } from './check-digits';

/** Where the JSON Schemas live, both from src/ (tests) and dist/ (built). */
export const SCHEMA_DIR = resolve(__dirname, '..', '..', 'schemas');

const DECIMAL = /^-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,2})?$/;

/** One Ajv instance with the domain formats; create it once in the composition root. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv, ['date-time', 'date', 'uuid', 'uri']);
  ajv.addFormat('iin', { type: 'string', validate: isValidIin });
  ajv.addFormat('bin', { type: 'string', validate: isValidBin });
  ajv.addFormat('iin-or-bin', { type: 'string', validate: isValidKzId });
  ajv.addFormat('iban', { type: 'string', validate: isValidIban });
  ajv.addFormat('card', { type: 'string', validate: isValidCardNumber });
  ajv.addFormat('bic', { type: 'string', validate: isValidBic });
  ajv.addFormat('erdr', { type: 'string', validate: (s: string) => /^[0-9]{15}$/.test(s) });
  ajv.addFormat('decimal', { type: 'string', validate: (s: string) => DECIMAL.test(s) });
  return ajv;
}

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

/** A sentence naming the field, for problem+json and for startup errors. */
export function describeAjvError(e: ErrorObject): { field: string; detail: string } {
  const base = boundPointer(e.instancePath);
  switch (e.keyword) {
    case 'required': {
      const f = `${base}/${(e.params as { missingProperty: string }).missingProperty}`;
      return { field: f, detail: `required field ${f} is missing` };
    }
    case 'additionalProperties': {
      // The name comes from the document: escaped and bounded (it may be 500 kB, or an IIN).
      const f = boundPointer(`${base}/${pointerSegment((e.params as { additionalProperty: string }).additionalProperty)}`);
      return { field: f, detail: `field ${f} is not allowed` };
    }
    case 'format':
      return { field: base || '/', detail: `field ${base || '/'} is not a valid ${(e.params as { format: string }).format}` };
    default:
      return { field: base || '/', detail: `field ${base || '/'} ${e.message ?? 'is invalid'}` };
  }
}

/** Validates or throws `code` naming the first offending field. */
export function validateOrThrow<T>(validate: ValidateFunction, value: unknown, code: ErrorCode, what: string): T {
  if (validate(value)) return value as T;
  const first = validate.errors?.[0];
  const { field, detail } = first ? describeAjvError(first) : { field: '/', detail: 'is invalid' };
  throw new Art50Error(code, `${what}: ${detail}`, { field });
}
