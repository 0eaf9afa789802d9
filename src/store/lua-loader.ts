/**
 * Lua script loader, BullMQ style:
 *  - a script file is named `<name>-<N>.lua`, N = number of KEYS (a file without the suffix is a
 *    snippet: it can only be included);
 *  - every file starts with a comment documenting KEYS, ARGV and the result;
 *  - a line `--@include <file>` is replaced by that file (path relative to the including file),
 *    each file at most once per script, cycles rejected;
 *  - the script is registered with ioredis `defineCommand` (EVALSHA, EVAL on NOSCRIPT).
 * Scripts must name every key they touch in KEYS (Redis Cluster), so snippets take key names as
 * arguments from their caller's KEYS.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type Redis from 'ioredis';

export type LuaArg = string | Buffer | number;

export interface LuaScript {
  /** Command name registered with ioredis, e.g. art50_log_append. */
  name: string;
  file: string;
  numberOfKeys: number;
  /** Source with includes resolved. */
  lua: string;
}

/** Calls one registered script. `buffer` returns bulk strings as Buffers. */
export interface LuaCommand {
  readonly script: LuaScript;
  (keys: readonly string[], args: readonly LuaArg[]): Promise<unknown>;
  buffer(keys: readonly string[], args: readonly LuaArg[]): Promise<unknown>;
}

const SCRIPT_NAME = /^(.+)-(\d+)\.lua$/;
const INCLUDE = /^--@include\s+(\S+)\s*$/;

/** Reads a file and resolves its `--@include` lines. */
export function resolveIncludes(file: string, seen: Set<string> = new Set(), stack: string[] = []): string {
  const path = resolve(file);
  if (stack.includes(path)) throw new Error(`lua include cycle: ${[...stack, path].join(' → ')}`);
  if (seen.has(path)) return `-- (already included: ${basename(path)})`;
  seen.add(path);
  const src = readFileSync(path, 'utf8');
  checkHeader(path, src);
  return src
    .split('\n')
    .map((line) => {
      const m = INCLUDE.exec(line);
      return m ? resolveIncludes(resolve(dirname(path), m[1]!), seen, [...stack, path]) : line;
    })
    .join('\n');
}

function checkHeader(path: string, src: string): void {
  if (!src.startsWith('--')) throw new Error(`${path}: a Lua file must start with a comment documenting it`);
  if (SCRIPT_NAME.test(basename(path))) {
    const header = src.split('\n').filter((l) => l.startsWith('--')).join('\n');
    for (const word of ['KEYS', 'ARGV', 'Result']) {
      if (!header.includes(word)) throw new Error(`${path}: the header comment must document ${word}`);
    }
  }
}

/** Loads `<name>-<N>.lua` with includes; `prefix` namespaces the ioredis command name. */
export function readLuaScript(file: string, prefix = 'art50'): LuaScript {
  const m = SCRIPT_NAME.exec(basename(file));
  if (!m) throw new Error(`${file}: a script file is named <name>-<numberOfKeys>.lua`);
  const name = `${prefix}_${m[1]!.replace(/[^A-Za-z0-9]/g, '_')}`;
  return { name, file: resolve(file), numberOfKeys: Number(m[2]), lua: resolveIncludes(file) };
}

type CommandFn = (...args: LuaArg[]) => Promise<unknown>;

/** Registers the script on this client (idempotent) and returns a typed caller. */
export function defineLuaScript(redis: Redis, script: LuaScript): LuaCommand {
  const methods = redis as unknown as Record<string, CommandFn | undefined>;
  if (typeof methods[script.name] !== 'function') {
    redis.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    // Scripts go out on their own: ioredis auto-pipelining mismatches replies of EVALSHA/EVAL
    // retries inside a batch. Plain commands are still batched. A fresh array per client: the
    // default one is shared by every ioredis client of the process.
    const ignored = redis.options.autoPipeliningIgnoredCommands ?? [];
    if (!ignored.includes(script.name)) redis.options.autoPipeliningIgnoredCommands = [...ignored, script.name];
  }
  const check = (keys: readonly string[]): void => {
    if (keys.length !== script.numberOfKeys) {
      throw new Error(`${script.name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
    }
  };
  const call = ((keys: readonly string[], args: readonly LuaArg[]) => {
    check(keys);
    return (methods[script.name] as CommandFn).call(redis, ...keys, ...args);
  }) as LuaCommand;
  call.buffer = (keys, args) => {
    check(keys);
    return (methods[`${script.name}Buffer`] as CommandFn).call(redis, ...keys, ...args);
  };
  Object.defineProperty(call, 'script', { value: script });
  return call;
}

/** Reads and registers in one step. */
export function loadLuaScript(redis: Redis, file: string, prefix?: string): LuaCommand {
  return defineLuaScript(redis, readLuaScript(file, prefix));
}
