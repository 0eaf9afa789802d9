import { Art50Error } from '../errors';
import type { RequestDoc, SanctionDoc, StatementDoc } from './types';

/**
 * Rules JSON Schema cannot express. Small pure functions, run after the schema validators; each
 * throws an Art50Error naming the field (JSON pointer).
 *
 * Periods are inclusive calendar dates. A movement's date is the date part of its `bookedAt` as the
 * bank wrote it (banks write Kazakhstan local time with its offset, e.g. `+05:00`), so a movement
 * booked at 23:30 local time on the last day of the period is inside it.
 */

/** The calendar date a movement was booked on, as written by the bank. */
export function bookedDate(bookedAt: string): string {
  return bookedAt.slice(0, 10);
}

/** request: scope.movements.from ≤ scope.movements.to ('document.schema', /scope/movements/to). */
export function checkRequestPeriod(request: RequestDoc): void {
  const m = request.scope.movements;
  if (m && m.from > m.to) {
    throw new Art50Error('document.schema', `request: movements period ends (${m.to}) before it starts (${m.from})`, {
      field: '/scope/movements/to',
    });
  }
}

/** sanction: validUntil after issuedAt ('document.schema', /validUntil). */
export function checkSanctionWindow(sanction: SanctionDoc): void {
  const from = Date.parse(sanction.issuedAt);
  const until = Date.parse(sanction.validUntil);
  if (!(until > from)) {
    throw new Art50Error('document.schema', 'sanction: validUntil must be after issuedAt', { field: '/validUntil' });
  }
}

/**
 * A refused sanction or statement carries a non-blank reason ('document.schema', /reason).
 * The schemas say so too; this guards values built in code that never went through them.
 */
export function checkRefusalReason(doc: SanctionDoc | StatementDoc): void {
  const refused = doc.type === 'sanction' ? doc.decision === 'refused' : doc.result === 'refused';
  if (refused && (doc.reason === undefined || doc.reason.trim() === '')) {
    throw new Art50Error('document.schema', `${doc.type}: a refusal needs a reason`, { field: '/reason' });
  }
}

/**
 * statement vs request: the answer carries only what was asked ('statement.scope'):
 * no movements unless movements were requested, no balance unless balances were, balances as of the
 * requested date, the echoed subject (if any) is the request's subject, accounts only when found.
 */
export function checkStatementScope(statement: StatementDoc, request: RequestDoc): void {
  const scope = request.scope;
  if (statement.subject && statement.subject.iin !== request.subject.iin) {
    throw new Art50Error('statement.scope', 'statement names another subject than the request', { field: '/subject/iin' });
  }
  const accounts = statement.accounts ?? [];
  if (statement.result !== 'found' && accounts.length > 0) {
    throw new Art50Error('statement.scope', `statement with result ${statement.result} must not list accounts`, { field: '/accounts' });
  }
  accounts.forEach((a, i) => {
    if (a.movements !== undefined && !scope.movements) {
      throw new Art50Error('statement.scope', `account ${i} lists movements, which the request did not ask for`, {
        field: `/accounts/${i}/movements`,
      });
    }
    if (a.balance !== undefined) {
      if (!scope.balances) {
        throw new Art50Error('statement.scope', `account ${i} gives a balance, which the request did not ask for`, {
          field: `/accounts/${i}/balance`,
        });
      }
      if (a.balance.asOf !== scope.balances.asOf) {
        throw new Art50Error('statement.scope', `account ${i} gives the balance as of ${a.balance.asOf}, the request asked for ${scope.balances.asOf}`, {
          field: `/accounts/${i}/balance/asOf`,
        });
      }
    }
  });
}

/** statement vs request: every movement booked inside the requested period ('statement.period'). */
export function checkStatementPeriod(statement: StatementDoc, request: RequestDoc): void {
  const period = request.scope.movements;
  if (!period) return;
  const accounts = statement.accounts ?? [];
  for (let i = 0; i < accounts.length; i++) {
    const movements = accounts[i]!.movements ?? [];
    for (let j = 0; j < movements.length; j++) {
      const d = bookedDate(movements[j]!.bookedAt);
      if (d < period.from || d > period.to) {
        throw new Art50Error(
          'statement.period',
          `movement ${j} of account ${i} was booked on ${d}, outside the requested period ${period.from}..${period.to}`,
          { field: `/accounts/${i}/movements/${j}/bookedAt`, extra: { account: i, movement: j } },
        );
      }
    }
  }
}

/** All semantic checks of a statement against the request it answers, in a stable order. */
export function checkStatementAgainstRequest(statement: StatementDoc, request: RequestDoc): void {
  checkRefusalReason(statement);
  checkStatementScope(statement, request);
  checkStatementPeriod(statement, request);
}
