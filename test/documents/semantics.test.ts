import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAjv, SCHEMA_DIR } from '../../src/documents/ajv';
import {
  bookedDate, checkRefusalReason, checkRequestPeriod, checkSanctionWindow, checkStatementAgainstRequest,
  checkStatementPeriod, checkStatementScope,
} from '../../src/documents/semantics';
import type { RequestDoc, SanctionDoc, StatementDoc } from '../../src/documents/types';
import { createDocumentValidators } from '../../src/documents/validators';
import { Art50Error } from '../../src/errors';
import { applyEdits, DELETE, Edit } from './json-edit';

const v = createDocumentValidators(createAjv());
const raw = (name: string): unknown => JSON.parse(readFileSync(join(SCHEMA_DIR, 'examples', `${name}.json`), 'utf8'));
const request = (...e: Edit[]): RequestDoc => v.request(applyEdits(raw('request'), e));
const sanction = (...e: Edit[]): SanctionDoc => v.sanction(applyEdits(raw('sanction'), e));
const statement = (...e: Edit[]): StatementDoc => v.statement(applyEdits(raw('statement'), e));

function refusal(fn: () => unknown): Art50Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Art50Error) return e;
    throw e;
  }
  throw new Error('expected a refusal, got none');
}

describe('request period', () => {
  it('accepts from ≤ to, including a single day', () => {
    expect(() => checkRequestPeriod(request())).not.toThrow();
    expect(() => checkRequestPeriod(request(['/scope/movements', { from: '2025-03-01', to: '2025-03-01' }]))).not.toThrow();
    expect(() => checkRequestPeriod(request(['/scope/movements', DELETE]))).not.toThrow();
  });

  it('refuses from > to naming /scope/movements/to', () => {
    const e = refusal(() => checkRequestPeriod(request(['/scope/movements', { from: '2025-03-14', to: '2025-03-13' }])));
    expect(e.code).toBe('document.schema');
    expect(e.field).toBe('/scope/movements/to');
  });
});

describe('sanction window and refusal reasons', () => {
  it('refuses validUntil not after issuedAt, comparing instants across offsets', () => {
    expect(() => checkSanctionWindow(sanction())).not.toThrow();
    const e = refusal(() => checkSanctionWindow(sanction(['/validUntil', '2025-03-14T06:02:00Z'])));
    expect(e.field).toBe('/validUntil');
    expect(() => checkSanctionWindow(sanction(['/validUntil', '2025-03-14T06:02:01Z']))).not.toThrow();
  });

  it('refused needs a reason (documents built in code, bypassing the schema)', () => {
    const s = sanction();
    const refusedSanction: SanctionDoc = { ...s, decision: 'refused', reason: ' ' };
    expect(refusal(() => checkRefusalReason(refusedSanction)).field).toBe('/reason');
    const { reason: _dropped, ...noReason } = s;
    expect(() => checkRefusalReason(noReason)).not.toThrow();
    const refusedStatement: StatementDoc = { ...statement(), result: 'refused', accounts: [] };
    const e = refusal(() => checkRefusalReason(refusedStatement));
    expect(e.code).toBe('document.schema');
    expect(e.field).toBe('/reason');
    expect(() => checkRefusalReason({ ...refusedStatement, reason: 'Court order missing' })).not.toThrow();
  });
});

describe('statement against its request', () => {
  it('the example statement answers the example request', () => {
    expect(() => checkStatementAgainstRequest(statement(), request())).not.toThrow();
  });

  it('movements outside the period are refused with statement.period naming the index', () => {
    const e = refusal(() => checkStatementPeriod(statement(['/accounts/0/movements/2/bookedAt', '2025-03-14T00:00:01+05:00']), request()));
    expect(e.code).toBe('statement.period');
    expect(e.field).toBe('/accounts/0/movements/2/bookedAt');
    expect(e.detail).toContain('movement 2 of account 0');
    const before = refusal(() => checkStatementPeriod(statement(['/accounts/1/movements/0/bookedAt', '2025-01-31T23:59:59+05:00']), request()));
    expect(before.field).toBe('/accounts/1/movements/0/bookedAt');
  });

  it('period bounds are inclusive days in the bank\'s written local time', () => {
    expect(bookedDate('2025-03-13T23:59:59+05:00')).toBe('2025-03-13');
    expect(() => checkStatementPeriod(statement(
      ['/accounts/0/movements/0/bookedAt', '2025-02-01T00:00:00+05:00'],
      ['/accounts/0/movements/1/bookedAt', '2025-03-13T23:59:59+05:00'],
    ), request())).not.toThrow();
  });

  it('movements when none were requested are refused with statement.scope', () => {
    const e = refusal(() => checkStatementScope(statement(), request(['/scope/movements', DELETE])));
    expect(e.code).toBe('statement.scope');
    expect(e.field).toBe('/accounts/0/movements');
  });

  it('a balance when none was requested, or as of another date, is refused with statement.scope', () => {
    expect(refusal(() => checkStatementScope(statement(), request(['/scope/balances', DELETE]))).field).toBe('/accounts/0/balance');
    const e = refusal(() => checkStatementScope(statement(['/accounts/1/balance/asOf', '2025-03-12']), request()));
    expect(e.code).toBe('statement.scope');
    expect(e.field).toBe('/accounts/1/balance/asOf');
  });

  it('an account list only is answered with bare accounts', () => {
    const r = request(['/scope', { accountList: true }]);
    const s = statement(
      ['/accounts/0/movements', DELETE], ['/accounts/0/balance', DELETE],
      ['/accounts/1/movements', DELETE], ['/accounts/1/balance', DELETE],
    );
    expect(() => checkStatementAgainstRequest(s, r)).not.toThrow();
  });

  it('another subject is refused with statement.scope', () => {
    const e = refusal(() => checkStatementScope(statement(['/subject/iin', '990312401124']), request()));
    expect(e.code).toBe('statement.scope');
    expect(e.field).toBe('/subject/iin');
  });

  it('not_found with accounts (built in code) is refused with statement.scope', () => {
    const s: StatementDoc = { ...statement(), result: 'not_found' };
    expect(refusal(() => checkStatementScope(s, request())).field).toBe('/accounts');
  });
});
