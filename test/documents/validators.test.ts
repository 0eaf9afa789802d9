import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAjv, SCHEMA_DIR } from '../../src/documents/ajv';
import { createDocumentValidators, parseJsonDocument } from '../../src/documents/validators';
import { Art50Error } from '../../src/errors';
import { applyEdits, DELETE, Edit } from './json-edit';

type Json = Record<string, unknown>;

function example(name: string): Json {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, 'examples', `${name}.json`), 'utf8')) as Json;
}

/** A fresh copy of an example with `[pointer, value]` edits applied. */
function edited(name: string, ...edits: Edit[]): Json {
  return applyEdits(example(name), edits);
}

function refusal(fn: () => unknown): Art50Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Art50Error) return e;
    throw new Error(`expected an Art50Error, got ${String(e)}`);
  }
  throw new Error('expected a refusal, got none');
}

const v = createDocumentValidators(createAjv());

describe('examples', () => {
  it('every example validates', () => {
    expect(v.request(example('request')).requestId).toBe('3f1c2a9e-7b4d-4e2a-9c1f-5a6b7c8d9e01');
    expect(v.sanction(example('sanction')).decision).toBe('granted');
    expect(v.statement(example('statement')).result).toBe('found');
  });

  it('the example statement answers the example request', () => {
    const r = v.request(example('request'));
    const s = v.statement(example('statement'));
    const sa = v.sanction(example('sanction'));
    expect(s.requestId).toBe(r.requestId);
    expect(sa.requestId).toBe(r.requestId);
    expect(s.subject?.iin).toBe(r.subject.iin);
    expect(sa.case.erdrNumber).toBe(r.case.erdrNumber);
  });

  it('compiles once even when called twice on the same Ajv', () => {
    const ajv = createAjv();
    createDocumentValidators(ajv);
    expect(() => createDocumentValidators(ajv)).not.toThrow();
  });
});

describe('schema refusals name the field', () => {
  const cases: [string, string, Edit[], string][] = [
    ['bad IIN check digit', 'request', [['/subject/iin', '920614300912']], '/subject/iin'],
    ['IIN with impossible birth month', 'request', [['/subject/iin', '921314300915']], '/subject/iin'],
    ['bad signer IIN', 'request', [['/signer/iin', '850315300129']], '/signer/iin'],
    ['bad IBAN', 'request', [['/subject/knownIbans', ['KZ761110000012345679']]], '/subject/knownIbans/0'],
    ['bad BIC', 'request', [['/banks', ['ALFAKZKA', 'alfa']]], '/banks/1'],
    ['duplicate BIC', 'request', [['/banks', ['ALFAKZKA', 'ALFAKZKA']]], '/banks'],
    ['banks neither list nor "all"', 'request', [['/banks', 'ALL']], '/banks'],
    ['deadlineHours 73', 'request', [['/deadlineHours', 73]], '/deadlineHours'],
    ['deadlineHours 0', 'request', [['/deadlineHours', 0]], '/deadlineHours'],
    ['deadlineHours 1.5', 'request', [['/deadlineHours', 1.5]], '/deadlineHours'],
    ['missing field', 'request', [['/signer/position', DELETE]], '/signer/position'],
    ['missing top-level field', 'request', [['/case', DELETE]], '/case'],
    ['extra unknown field', 'request', [['/subject/phone', '+77010000000']], '/subject/phone'],
    ['extra unknown top-level field', 'request', [['/priority', 'high']], '/priority'],
    ['erdr of 14 digits', 'request', [['/case/erdrNumber', '25175003100012']], '/case/erdrNumber'],
    ['bad article', 'request', [['/case/article', '190.2']], '/case/article'],
    ['scope asks for nothing', 'request', [['/scope', { accountList: false }]], '/scope'],
    ['bad date in scope', 'request', [['/scope/movements/from', '2025-02-30x']], '/scope/movements/from'],
    ['wrong version', 'request', [['/version', 2]], '/version'],
    ['bad uuid', 'request', [['/requestId', 'req-1']], '/requestId'],
    ['refused sanction without reason', 'sanction', [['/decision', 'refused'], ['/reason', DELETE]], '/reason'],
    ['refused sanction with blank reason', 'sanction', [['/decision', 'refused'], ['/reason', '   ']], '/reason'],
    ['sanction digest in upper case', 'sanction', [['/requestDigest', 'A'.repeat(64)]], '/requestDigest'],
    ['sanction office BIN that is an IIN', 'sanction', [['/prosecutor/bin', '780421300456']], '/prosecutor/bin'],
    ['float amount in statement', 'statement', [['/accounts/0/movements/1/amount', -9000000.5]], '/accounts/0/movements/1/amount'],
    ['three fraction digits', 'statement', [['/accounts/0/balance/amount', '250.401']], '/accounts/0/balance/amount'],
    ['float balance', 'statement', [['/accounts/0/balance/amount', 250.4]], '/accounts/0/balance/amount'],
    ['bad account IBAN', 'statement', [['/accounts/1/iban', 'KZ691110000098765433']], '/accounts/1/iban'],
    ['bad counterparty BIC', 'statement', [['/accounts/0/movements/1/counterparty/bic', 'BETA']], '/accounts/0/movements/1/counterparty/bic'],
    ['counterparty with both iin and bin', 'statement', [['/accounts/0/movements/1/counterparty/bin', '931040000674']], '/accounts/0/movements/1/counterparty/bin'],
    ['unknown channel', 'statement', [['/accounts/0/movements/0/channel', 'pigeon']], '/accounts/0/movements/0/channel'],
    ['lower-case currency', 'statement', [['/accounts/0/currency', 'kzt']], '/accounts/0/currency'],
    ['found without accounts', 'statement', [['/accounts', DELETE]], '/accounts'],
    ['not_found with accounts', 'statement', [['/result', 'not_found']], '/accounts'],
    ['refused without reason', 'statement', [['/result', 'refused'], ['/accounts', []]], '/reason'],
    ['closedOn not a date', 'statement', [['/accounts/0/closedOn', 'never']], '/accounts/0/closedOn'],
    ['bank BIN check digit', 'statement', [['/bank/bin', '931040000675']], '/bank/bin'],
  ];

  it.each(cases)('%s', (_label, name, edits, field) => {
    const doc = edited(name, ...edits);
    const validate = name === 'request' ? v.request : name === 'sanction' ? v.sanction : v.statement;
    const e = refusal(() => validate(doc));
    expect(e.code).toBe('document.schema');
    expect(e.field).toBe(field);
    expect(e.detail).toContain(field === '/' ? name : field);
    expect(e.status).toBe(422);
  });

  it('accepts the variants the schema allows', () => {
    expect(() => v.request(edited('request', ['/banks', 'all'], ['/deadlineHours', DELETE]))).not.toThrow();
    expect(() => v.request(edited('request', ['/scope', { accountList: false, balances: { asOf: '2025-03-01' } }]))).not.toThrow();
    expect(() => v.request(edited('request',
      ['/parent', { requestId: '11111111-2222-4333-8444-555555555555', statementId: '66666666-7777-4888-9999-000000000000' }]))).not.toThrow();
    expect(() => v.statement(edited('statement', ['/result', 'not_found'], ['/accounts', DELETE]))).not.toThrow();
    expect(() => v.statement(edited('statement', ['/result', 'refused'], ['/accounts', []], ['/reason', 'Court order missing']))).not.toThrow();
    expect(() => v.statement(edited('statement', ['/accounts', []]))).not.toThrow();
    expect(() => v.statement(edited('statement', ['/accounts/0/closedOn', DELETE]))).not.toThrow();
    expect(() => v.statement(edited('statement', ['/accounts/0/closedOn', '2025-03-10']))).not.toThrow();
    expect(() => v.sanction(edited('sanction', ['/decision', 'refused'], ['/reason', 'No grounds']))).not.toThrow();
    expect(() => v.sanction(edited('sanction', ['/reason', DELETE]))).not.toThrow();
  });

  it('refuses a document of another type with document.type', () => {
    const e = refusal(() => v.request(example('sanction')));
    expect(e.code).toBe('document.type');
    expect(e.field).toBe('/type');
  });

  it('refuses non-objects with document.schema', () => {
    for (const bad of [null, [], 'request', 42]) {
      expect(refusal(() => v.request(bad)).code).toBe('document.schema');
    }
  });
});

describe('parseJsonDocument', () => {
  it('parses UTF-8 JSON', () => {
    expect(parseJsonDocument(Buffer.from('{"a":"Қазақстан"}', 'utf8'), 1000)).toEqual({ a: 'Қазақстан' });
  });

  it('tolerates a UTF-8 byte order mark', () => {
    expect(parseJsonDocument(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]), 1000)).toEqual({});
  });

  it.each([
    ['not JSON', Buffer.from('hello')],
    ['truncated JSON', Buffer.from('{"type":"request"')],
    ['empty', Buffer.alloc(0)],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])],
    ['UTF-16', Buffer.from('{"a":1}', 'utf16le')],
  ])('refuses %s with document.not_json', (_label, buf) => {
    const e = refusal(() => parseJsonDocument(buf, 1_000_000));
    expect(e.code).toBe('document.not_json');
    expect(e).not.toBeInstanceOf(SyntaxError);
  });

  it('refuses oversize with document.too_large before parsing', () => {
    const e = refusal(() => parseJsonDocument(Buffer.from('{"a":"' + 'x'.repeat(100) + '"}'), 50));
    expect(e.code).toBe('document.too_large');
    expect(e.status).toBe(413);
    expect(() => parseJsonDocument(Buffer.from('{"a":1}'), 7)).not.toThrow();
  });
});
