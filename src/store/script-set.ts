import { resolve } from 'node:path';
import type Redis from 'ioredis';
import { LuaScript, readLuaScript, defineLuaScript } from './lua-loader';
import type { ScriptRunner } from './scripts';

/** Lua sources stay in src/ (they are not compiled); this resolves them from src/ and dist/. */
export const SRC_DIR = resolve(__dirname, '..', '..', 'src');

const cache = new Map<string, LuaScript>();

/** Reads (once per process) and registers a script of src/<relPath> on this client. */
export function scriptRunner(redis: Redis, relPath: string): ScriptRunner {
  let s = cache.get(relPath);
  if (!s) {
    s = readLuaScript(resolve(SRC_DIR, relPath), 'art50');
    cache.set(relPath, s);
  }
  const cmd = defineLuaScript(redis, s);
  const run = ((keys, args) => cmd(keys, args)) as ScriptRunner;
  run.buffer = (keys, args) => cmd.buffer(keys, args);
  return run;
}
