import type { DecimalString } from '../../documents/types';

/** Money as integer minor units (KZT, USD, EUR: 2 digits) and calendar dates as YYYY-MM-DD; local time is written with the Kazakhstan offset +05:00. */

export const pad2 = (n: number): string => String(n).padStart(2, '0');

export function minorToString(minor: number): DecimalString {
  const neg = minor < 0;
  const abs = Math.abs(minor);
  return `${neg ? '-' : ''}${Math.floor(abs / 100)}.${pad2(abs % 100)}`;
}

export const DAY_MS = 86_400_000;
export const dayNumber = (date: string): number => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
export const dateOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const KZ_OFFSET = '+05:00';
