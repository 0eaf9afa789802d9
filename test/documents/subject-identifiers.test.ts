import { completeCardNumber, isValidCardNumber, isValidKzIban, makeKzIban, maskCardNumber } from '../../src/documents/check-digits';
import { createAjv } from '../../src/documents/ajv';
import { checkStatementScope } from '../../src/documents/semantics';
import type { RequestDoc, StatementDoc } from '../../src/documents/types';
import { createDocumentValidators } from '../../src/documents/validators';
import { Art50Error } from '../../src/errors';
import { makeRequest } from '../support/documents';

/** A request names its individual by IIN, by Kazakh IBAN or by card number — exactly one; check digits have their own codes. */

const v = createDocumentValidators(createAjv());
const IBAN = makeKzIban('222', '0000000012345');
const CARD = completeCardNumber('440043123456789');
/** One character changed: the form is right, the check digits are not. */
const BAD_IBAN = IBAN.slice(0, -1) + (IBAN.endsWith('5') ? '6' : '5');
const BAD_CARD = CARD.slice(0, -1) + String((Number(CARD.slice(-1)) + 1) % 10);

function refusal(fn: () => unknown): Art50Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Art50Error) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('check digits', () => {
  it('Kazakh IBAN: KZ, 2 check digits, 16 characters, mod-97', () => {
    expect(isValidKzIban(IBAN)).toBe(true);
    expect(isValidKzIban(BAD_IBAN)).toBe(false);
    expect(isValidKzIban('DE89370400440532013000')).toBe(false);
    // ISO 13616 example IBAN of Kazakhstan (the SWIFT IBAN registry).
    expect(isValidKzIban('KZ86125KZT5004100100')).toBe(true);
  });

  it('card number: 13–19 digits, Luhn; shown masked as first 6 and last 4', () => {
    expect(isValidCardNumber('4111111111111111')).toBe(true);
    expect(isValidCardNumber('4111111111111112')).toBe(false);
    expect(isValidCardNumber('79927398713')).toBe(false); // Luhn-valid but too short for a card
    expect(isValidCardNumber(CARD)).toBe(true);
    expect(isValidCardNumber(BAD_CARD)).toBe(false);
    expect(maskCardNumber('4400431234567890')).toBe('440043******7890');
  });
});

describe('request subject', () => {
  it('accepts a subject by IBAN or by card, with a name', () => {
    expect(v.request(makeRequest({ subject: { iban: IBAN, name: 'Card Holder' } })).subject).toEqual({ iban: IBAN, name: 'Card Holder' });
    expect(v.request(makeRequest({ subject: { card: CARD } })).subject).toEqual({ card: CARD });
  });

  it.each([
    ['IBAN with a mistyped character', { iban: BAD_IBAN }, 'request.iban_checksum', '/subject/iban'],
    ['card number with a mistyped digit', { card: BAD_CARD }, 'request.card_checksum', '/subject/card'],
    ['an IBAN that is not Kazakh', { iban: 'DE89370400440532013000' }, 'document.schema', '/subject/iban'],
    ['a card number with letters', { card: '4400-4312-3456' }, 'document.schema', '/subject/card'],
    ['IIN and IBAN together', { iin: '920614300911', iban: IBAN }, 'document.schema', '/subject'],
    ['IBAN and card together', { iban: IBAN, card: CARD }, 'document.schema', '/subject'],
    ['knownIbans without an IIN', { iban: IBAN, knownIbans: [IBAN] }, 'document.schema', '/subject'],
    ['no identifier at all', { name: 'Someone' }, 'document.schema', '/subject'],
  ])('refuses %s', (_what, subject, code, field) => {
    const e = refusal(() => v.request(makeRequest({ subject })));
    expect(e.code).toBe(code);
    expect(e.field).toBe(field);
    expect(e.status).toBe(422);
  });

  it('a bad IIN still names /subject/iin', () => {
    expect(refusal(() => v.request(makeRequest({ subject: { iin: '920614300912' } }))).field).toBe('/subject/iin');
  });
});

describe('a statement answering a request by IBAN or card', () => {
  const byIban = v.request(makeRequest({ subject: { iban: IBAN } })) as RequestDoc;
  const account = { iban: IBAN, currency: 'KZT', openedOn: '2024-01-10', closedOn: null };
  const statement = (over: Partial<StatementDoc>): StatementDoc => ({
    type: 'statement', version: 1, statementId: '6a1f8a52-3c1e-4d7b-9e55-0c2f4b1d7e10', requestId: byIban.requestId, requestDigest: 'a'.repeat(64),
    bank: { bic: 'BETAKZKA', bin: '941140000784' }, generatedAt: '2025-03-14T12:00:00+05:00', result: 'found', accounts: [account], ...over,
  });

  it('names the holder when found, and lists only the account asked about', () => {
    expect(() => checkStatementScope(statement({ subject: { iin: '920614300911', name: 'Holder' } }), byIban)).not.toThrow();
    expect(refusal(() => checkStatementScope(statement({}), byIban))).toMatchObject({ code: 'statement.scope', field: '/subject' });
    const other = { ...account, iban: makeKzIban('222', '0000000099999') };
    expect(refusal(() => checkStatementScope(statement({ subject: { iin: '920614300911' }, accounts: [account, other] }), byIban))).toMatchObject({ code: 'statement.scope', field: '/accounts/1/iban' });
    expect(() => checkStatementScope(statement({ result: 'not_found', accounts: [] }), byIban)).not.toThrow();
  });

  it('the statement schema takes the holder\'s name and a counterparty known only by card (Luhn-checked)', () => {
    const movement = { id: 'm1', bookedAt: '2025-02-03T09:20:00+05:00', amount: '-1000.00', currency: 'KZT', channel: 'mobile', counterparty: { name: 'A Person', card: CARD } };
    const s = statement({ subject: { iin: '920614300911', name: 'Holder' }, accounts: [{ ...account, movements: [movement as never] }] });
    expect(() => v.statement(s)).not.toThrow();
    const bad = JSON.parse(JSON.stringify(s)) as StatementDoc;
    bad.accounts![0]!.movements![0]!.counterparty!.card = BAD_CARD;
    expect(refusal(() => v.statement(bad))).toMatchObject({ code: 'document.schema', field: '/accounts/0/movements/0/counterparty/card' });
  });
});
