import type { RequestDoc, RequestSubject } from '../documents/types';

/**
 * `police request`: a new request of the same case for another subject — the way an investigator
 * works a case (same ERDR number, body, signer, scope; a new IIN, IBAN or card number from the
 * victim's bank or a statement). Pure; the caller validates the result with the request schema.
 */
export interface NewRequestOptions {
  subject: RequestSubject;
  /** Default: the template's banks. */
  banks?: string[] | 'all';
  now?: Date;
  /** A new requestId; default a random UUID (Web Crypto, in Node and in browsers). */
  newId?: (() => string) | undefined;
}

export function requestFromTemplate(template: RequestDoc, o: NewRequestOptions): RequestDoc {
  return {
    type: 'request',
    version: 1,
    requestId: (o.newId ?? (() => globalThis.crypto.randomUUID()))(),
    createdAt: (o.now ?? new Date()).toISOString(),
    case: { ...template.case },
    body: { ...template.body },
    signer: { ...template.signer },
    subject: o.subject,
    scope: JSON.parse(JSON.stringify(template.scope)) as RequestDoc['scope'],
    banks: o.banks ?? (template.banks === 'all' ? 'all' : [...template.banks]),
    ...(template.deadlineHours !== undefined ? { deadlineHours: template.deadlineHours } : {}),
  };
}

/** What a person types, as the schema wants it: IBANs are printed in groups of four, cards with spaces or dashes. */
export function normaliseIban(text: string): string {
  return text.replace(/[\s-]/g, '').toUpperCase();
}

export function normaliseCard(text: string): string {
  return text.replace(/[\s-]/g, '');
}
