/** The log's Lua scripts, read once per process (immutable file contents) and registered per client. */
import { resolve } from 'node:path';
import type Redis from 'ioredis';
import { LuaCommand, LuaScript, defineLuaScript, readLuaScript } from '../store/lua-loader';

/** Works from src/log (ts-jest) and dist/log (built): the .lua files stay in src/. */
export const LOG_LUA_DIR = resolve(__dirname, '..', '..', 'src', 'log', 'lua');

/** Path of the snippet that state-changing scripts include (`--@include` it relative to their file). */
export const APPEND_SNIPPET = resolve(LOG_LUA_DIR, 'append-entry.lua');

export type LogScriptName = 'append-2' | 'integrate-2' | 'checkpoint-4';

const cache = new Map<LogScriptName, LuaScript>();

export function logScript(redis: Redis, name: LogScriptName): LuaCommand {
  let script = cache.get(name);
  if (!script) {
    script = readLuaScript(resolve(LOG_LUA_DIR, `${name}.lua`), 'art50_log');
    cache.set(name, script);
  }
  return defineLuaScript(redis, script);
}
