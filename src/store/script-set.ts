import { resolve } from 'node:path';
import type Redis from 'ioredis';
import { LuaScript, readLuaScript, defineLuaScript } from './lua-loader';
import type { ScriptRunner } from './scripts';

/** Lua sources stay in src/ (they are not compiled); this resolves them from src/ and dist/. */
export const SRC_DIR = resolve(__dirname, '..', '..', 'src');

const cache = new Map<string, LuaScript>();

/**
 * Reads (once per process) and registers a script of src/<relPath> on this client. With `fence`
 * (src/redis/replica-fence.ts) a call resolves only once its write is on the Redis replicas, so
 * whatever the caller acknowledges next (a receipt, a 202) survives a failover.
 */
export function scriptRunner(redis: Redis, relPath: string, fence?: () => Promise<void>): ScriptRunner {
  let s = cache.get(relPath);
  if (!s) {
    s = readLuaScript(resolve(SRC_DIR, relPath), 'art50');
    cache.set(relPath, s);
  }
  const cmd = defineLuaScript(redis, s);
  if (!fence) {
    const run = ((keys, args) => cmd(keys, args)) as ScriptRunner;
    run.buffer = (keys, args) => cmd.buffer(keys, args);
    return run;
  }
  const fenced = async <T>(reply: Promise<T>): Promise<T> => {
    const value = await reply;
    await fence();
    return value;
  };
  const run = ((keys, args) => fenced(cmd(keys, args))) as ScriptRunner;
  run.buffer = (keys, args) => fenced(cmd.buffer(keys, args));
  return run;
}
