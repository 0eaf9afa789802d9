import { maskCardNumber } from './check-digits';
import type { RequestSubject } from './types';

/**
 * How a request names its individual: by IIN, by a Kazakh IBAN, or by a payment card number —
 * exactly one (schemas/request.schema.json). Pure: used by the gateway, the clients, the bank and
 * the browser console alike.
 */
export type SubjectKind = 'iin' | 'iban' | 'card';

export interface SubjectIdentifier {
  kind: SubjectKind;
  value: string;
}

export function subjectIdentifier(subject: RequestSubject): SubjectIdentifier {
  if (subject.iin !== undefined) return { kind: 'iin', value: subject.iin };
  if (subject.iban !== undefined) return { kind: 'iban', value: subject.iban };
  return { kind: 'card', value: subject.card! };
}

/** "IIN 920614300911", "IBAN KZ…", "card 440043******1234": a card number is always shown masked. */
export function describeIdentifier(id: SubjectIdentifier): string {
  switch (id.kind) {
    case 'iin':
      return `IIN ${id.value}`;
    case 'iban':
      return `IBAN ${id.value}`;
    case 'card':
      return `card ${maskCardNumber(id.value)}`;
  }
}

export function describeSubject(subject: RequestSubject): string {
  return describeIdentifier(subjectIdentifier(subject));
}
