/**
 * Check-digit algorithms of the identifiers the gateway handles (docs/documents.md): invented or mistyped identifiers are refused at intake.
 * Pure functions: used by the JSON Schema formats, the registry loader and the demo generators.
 */

const W1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/** The 12th digit of an IIN/BIN for its first 11 digits, or null when no valid digit exists. */
export function kzControlDigit(first11: string): number | null {
  if (!/^\d{11}$/.test(first11)) return null;
  const d = [...first11].map(Number);
  let s = d.reduce((acc, v, i) => acc + v * W1[i]!, 0) % 11;
  if (s === 10) s = d.reduce((acc, v, i) => acc + v * W2[i]!, 0) % 11;
  return s === 10 ? null : s;
}

/** True for a 12-digit IIN or BIN whose control digit is right. */
export function isValidKzId(value: string): boolean {
  if (!/^\d{12}$/.test(value)) return false;
  return kzControlDigit(value.slice(0, 11)) === Number(value[11]);
}

/** An IIN additionally encodes a birth date (YYMMDD) and century/sex digit 1..6. */
export function isValidIin(value: string): boolean {
  if (!isValidKzId(value)) return false;
  const mm = Number(value.slice(2, 4));
  const dd = Number(value.slice(4, 6));
  const c = Number(value[6]);
  return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31 && c >= 1 && c <= 6;
}

/** A BIN: 12 digits, control digit; digits 5 is the legal-entity type (4..6). */
export function isValidBin(value: string): boolean {
  if (!isValidKzId(value)) return false;
  const t = Number(value[4]);
  return t >= 4 && t <= 6;
}

/** Completes 11 digits into a valid IIN/BIN, varying digit 11 when the first try has no check digit. */
export function completeKzId(first11: string): string {
  for (let bump = 0; bump < 10; bump++) {
    const base = first11.slice(0, 10) + String((Number(first11[10]) + bump) % 10);
    const c = kzControlDigit(base);
    if (c !== null) return base + String(c);
  }
  throw new Error(`no control digit possible for ${first11}`);
}

function mod97(numeric: string): number {
  let r = 0;
  for (let i = 0; i < numeric.length; i += 7) r = Number(String(r) + numeric.slice(i, i + 7)) % 97;
  return r;
}

function ibanNumeric(rearranged: string): string {
  return [...rearranged].map((ch) => (/[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch)).join('');
}

/** ISO 13616 mod-97 check; Kazakh IBANs must be exactly 20 characters. */
export function isValidIban(value: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$/.test(value)) return false;
  if (value.startsWith('KZ') && value.length !== 20) return false;
  return mod97(ibanNumeric(value.slice(4) + value.slice(0, 4))) === 1;
}

/** Builds a valid KZ IBAN from a 3-digit bank code and a 13-character account part. */
export function makeKzIban(bankCode: string, account13: string): string {
  if (!/^\d{3}$/.test(bankCode) || !/^[A-Z0-9]{13}$/.test(account13)) throw new Error('bad IBAN parts');
  const bban = bankCode + account13;
  const check = 98 - mod97(ibanNumeric(bban + 'KZ00'));
  return `KZ${String(check).padStart(2, '0')}${bban}`;
}

/** ISO 9362: 4 letters bank, 2 letters country, 2 alnum location, optional 3 alnum branch. */
export function isValidBic(value: string): boolean {
  return /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(value);
}

/** A Kazakh IBAN: KZ, 2 check digits, 16 characters (3-digit bank code + 13), ISO 13616 mod-97. */
export function isValidKzIban(value: string): boolean {
  return /^KZ\d{2}[0-9A-Z]{16}$/.test(value) && isValidIban(value);
}

/** A payment card number (PAN, ISO/IEC 7812): 13–19 digits whose last is the Luhn check digit. */
export function isValidCardNumber(value: string): boolean {
  if (!/^\d{13,19}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < value.length; i++) {
    let d = value.charCodeAt(value.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Completes the digits of a card number but the last into a Luhn-valid PAN (demo generators). */
export function completeCardNumber(withoutCheck: string): string {
  for (let c = 0; c <= 9; c++) if (isValidCardNumber(withoutCheck + String(c))) return withoutCheck + String(c);
  throw new Error(`not card digits: ${withoutCheck}`);
}

/**
 * A card number as a person may see it: the first 6 (issuer) and last 4 digits, the rest masked
 * (PCI DSS 3.4) — for terminal output and file names; logs get a keyed digest, never this.
 */
export function maskCardNumber(pan: string, mask = '*'): string {
  return pan.length <= 10 ? mask.repeat(pan.length) : pan.slice(0, 6) + mask.repeat(pan.length - 10) + pan.slice(-4);
}
