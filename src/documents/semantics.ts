import { Art50Error } from '../errors';
import { isValidCardNumber, isValidKzIban } from './check-digits';
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

/**
 * request: an IBAN or card number that names the subject carries a right check digit. The schema
 * checks the form; a mistyped digit gets its own code naming the field ('request.iban_checksum'
 * ISO 13616 mod-97, 'request.card_checksum' Luhn), so the investigator sees which number to re-read.
 */
export function checkRequestSubject(request: RequestDoc): void {
  const { iban, card } = request.subject;
  if (iban !== undefined && !isValidKzIban(iban)) {
    throw new Art50Error('request.iban_checksum', 'request: subject.iban fails its ISO 13616 mod-97 check: a character is mistyped', { field: '/subject/iban' });
  }
  if (card !== undefined && !isValidCardNumber(card)) {
    throw new Art50Error('request.card_checksum', 'request: subject.card fails its Luhn check: a digit is mistyped', { field: '/subject/card' });
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
 * requested date, the echoed subject (if any) is the request's subject, accounts only when found;
 * asked by IBAN, only that account; asked by IBAN or card and found, the holder is named.
 */
export function checkStatementScope(statement: StatementDoc, request: RequestDoc): void {
  const scope = request.scope;
  const accounts = statement.accounts ?? [];
  if (request.subject.iin !== undefined) {
    if (statement.subject && statement.subject.iin !== request.subject.iin) {
      throw new Art50Error('statement.scope', 'statement names another subject than the request', { field: '/subject/iin' });
    }
  } else if (statement.result === 'found' && !statement.subject) {
    // Asked by IBAN or card, the bank is the one who knows whose account it is: it must say.
    throw new Art50Error('statement.scope', 'a request by IBAN or card is answered with the holder: subject.iin is required when found', { field: '/subject' });
  }
  const askedIban = request.subject.iban;
  if (askedIban !== undefined) {
    accounts.forEach((a, i) => {
      if (a.iban !== askedIban) throw new Art50Error('statement.scope', `account ${i} is not the account the request names by IBAN`, { field: `/accounts/${i}/iban` });
    });
  }
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
