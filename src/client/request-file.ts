import { readFileSync, writeFileSync } from 'node:fs';
import { createAjv } from '../documents/ajv';
import type { RequestDoc, RequestSubject } from '../documents/types';
import { createDocumentValidators } from '../documents/validators';
import { UsageError } from './cli';
import { normaliseCard, normaliseIban, requestFromTemplate } from './new-request';

/**
 * `police request`: reads the template request, writes a new request of the same case for the
 * individual named by exactly one of iin / iban / card. The result is checked with the request
 * schema and its check digits before it is written (request.iban_checksum, request.card_checksum).
 */
export function writeRequestFromTemplate(o: { template: string; iin?: string; iban?: string; card?: string; name?: string; banks?: string; out: string }, now = new Date()): RequestDoc {
  const given = [o.iin, o.iban, o.card].filter((v) => v !== undefined).length;
  if (given !== 1) throw new UsageError('name the individual by exactly one of --iin, --iban or --card');
  const validators = createDocumentValidators(createAjv());
  let template: RequestDoc;
  try {
    template = validators.request(JSON.parse(readFileSync(o.template, 'utf8').replace(/^\uFEFF/, '')));
  } catch (e) {
    throw new UsageError(`${o.template} is not a valid request document${e instanceof Error ? `: ${e.message}` : ''}`);
  }
  const name = o.name ? { name: o.name } : {};
  const subject: RequestSubject = o.iin !== undefined ? { iin: o.iin.trim(), ...name }
    : o.iban !== undefined ? { iban: normaliseIban(o.iban), ...name } : { card: normaliseCard(o.card!), ...name };
  const banks = o.banks === undefined ? undefined : o.banks === 'all' ? 'all' as const : o.banks.split(',').map((b) => b.trim()).filter(Boolean);
  const doc = validators.request(requestFromTemplate(template, { subject, now, ...(banks ? { banks } : {}) }));
  writeFileSync(o.out, JSON.stringify(doc, null, 2) + '\n');
  return doc;
}
