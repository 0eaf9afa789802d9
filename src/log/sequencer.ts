/**
 * Sequencing: an entry gets its index inside the Lua script that changes state (atomic with the
 * change). Node builds the entry as a TEMPLATE — canonical JSON whose index is the placeholder
 * "@@INDEX@@" in its sorted position — and the Lua snippet append-entry.lua substitutes the
 * number. See docs/log.md.
 */
import type Redis from 'ioredis';
import { Art50Error } from '../errors';
import { LogEntryFields, LogEntryValidator, canonicalJson } from './entry';
import { logKeys } from './keys';
import { scriptRunner } from '../store/script-set';
import { appendReply } from './lua/replies';

export const INDEX_PLACEHOLDER = '@@INDEX@@';
const PLACEHOLDER_FIELD = `"index":"${INDEX_PLACEHOLDER}"`;

/**
 * The template ARGV for log/lua/append-2.lua. With `validate`, the entry (index 0) is checked against
 * the schema first, so nothing that fails the schema is ever sequenced.
 */
export function entryTemplate(fields: LogEntryFields, validate?: LogEntryValidator): string {
  if ('index' in fields) throw new Error('entryTemplate: the index is assigned by the sequencer');
  const template = canonicalJson({ ...fields, index: INDEX_PLACEHOLDER });
  const first = template.indexOf(PLACEHOLDER_FIELD);
  if (first < 0 || template.indexOf(INDEX_PLACEHOLDER, first + PLACEHOLDER_FIELD.length) >= 0 || template.indexOf(INDEX_PLACEHOLDER) !== first + 9) {
    throw new Art50Error('log.bad_entry', 'log entry fields must not contain the index placeholder');
  }
  // The schema checks the entry as the sequencer will write it (index 0 in the placeholder's
  // place): the same JSON as canonicalJson({ ...fields, index: 0 }), without encoding it twice.
  if (validate) validate(JSON.parse(`${template.slice(0, first)}"index":0${template.slice(first + PLACEHOLDER_FIELD.length)}`));
  return template;
}

/** KEYS a caller's script must declare (in this order, where it passes them to the snippet). */
export function appendKeys(ns: string): [size: string, entries: string] {
  const k = logKeys(ns);
  return [k.size, k.entries];
}

/** Appends one entry for an event that changes no other state; returns its index. */
export async function appendStandalone(redis: Redis, ns: string, fields: LogEntryFields, validate?: LogEntryValidator): Promise<number> {
  const template = entryTemplate(fields, validate);
  try {
    return appendReply(await scriptRunner(redis, 'log/lua/append-2.lua')(appendKeys(ns), [template]));
  } catch (e) {
    throw mapLogLuaError(e);
  }
}

/** The one place log Lua errors become Art50Errors. */
export function mapLogLuaError(e: unknown): unknown {
  if (e instanceof Error && e.message.includes('ART50_LOG_TEMPLATE')) {
    return new Art50Error('log.bad_entry', 'log entry template rejected by the sequencer', { cause: e });
  }
  return e;
}
