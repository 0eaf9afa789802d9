import type Redis from 'ioredis';

/** Runs one Lua script: KEYS and ARGV in, the script's reply out (bulk strings as strings). */
export interface ScriptRunner {
  (keys: string[], args: Array<string | Buffer>): Promise<unknown>;
  /** The same, with bulk strings as Buffers (for replies carrying binary data such as receipts). */
  buffer(keys: string[], args: Array<string | Buffer>): Promise<unknown>;
}
export type { Redis };
