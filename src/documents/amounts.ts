import type { DecimalString } from './types';

/**
 * Decimal amount strings (2 minor digits, as KZT) to and from integer minor units: money is
 * never a float.
 */
export function toMinor(amount: DecimalString): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (!m) throw new Error(`not a decimal amount: ${amount}`);
  const v = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -v : v;
}

export function fromMinor(minor: bigint): DecimalString {
  const neg = minor < 0n;
  const abs = neg ? -minor : minor;
  return `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
