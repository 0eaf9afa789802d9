import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskCardNumber } from '../documents/check-digits';
import { createAjv } from '../documents/ajv';
import { createDocumentValidators } from '../documents/validators';
import type { RequestStatusView } from './api-client';

/**
 * A bank's refusal reason as the CLI shows it. The reason is the bank's free text: printed on one
 * line (no control characters that could rewrite the terminal) and with every payment card number
 * in it masked, as the CLI masks card numbers everywhere it prints them.
 */
export function reasonText(reason: string): string {
  const oneLine = reason.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  // Every run of 13 digits or more (optionally grouped by single spaces or dashes) is masked, Luhn
  // or not: a card number next to other digits ("4400… 250 KZT", "… 2024") makes a longer run that
  // fails the check as a whole, and a reason has no other use for such a long number.
  return oneLine.replace(/\d(?:[ -]?\d){12,}/g, (run) => maskCardNumber(run.replace(/[ -]/g, '')));
}

/**
 * The refusal reasons of a request's banks, read from the statements `police fetch` wrote to
 * `dir` (it writes <statementId>.json only after verifying the statement). The gateway cannot
 * give them: a reason travels inside the statement, which is encrypted to the requesting body.
 * A file is used only if it is a schema-valid statement of this request, bank and statement id
 * with the result the gateway reports; banks without such a file are absent from the map.
 */
export function fetchedReasons(status: RequestStatusView, dir: string): Map<string, string> {
  const validate = createDocumentValidators(createAjv()).statement;
  const out = new Map<string, string>();
  for (const b of status.banks) {
    if (b.result !== 'refused' || !b.statementId) continue;
    const file = join(dir, `${b.statementId}.json`);
    if (!existsSync(file)) continue;
    let doc;
    try {
      doc = validate(JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')));
    } catch {
      continue;
    }
    if (doc.statementId !== b.statementId || doc.requestId !== status.requestId || doc.bank.bic !== b.bic || doc.result !== 'refused' || !doc.reason) continue;
    out.set(b.bic, reasonText(doc.reason));
  }
  return out;
}
