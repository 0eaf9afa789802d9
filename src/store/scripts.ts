import type Redis from 'ioredis';

/** Runs one Lua script: KEYS and ARGV in, the script's reply out. */
export type ScriptRunner = (keys: string[], args: Array<string | Buffer>) => Promise<unknown>;
export type { Redis };
