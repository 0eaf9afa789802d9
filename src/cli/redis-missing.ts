import { RedisMissingError } from '../redis/embedded';
import type { SetExit } from './set-exit';

/**
 * Runs `fn`; when redis-server is missing and could not be installed, prints the exact command
 * to run and sets exit code 2 instead of a stack trace. Resolves undefined in that case.
 */
export async function orExplainMissingRedis<T>(setExit: SetExit, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof RedisMissingError)) throw e;
    process.stderr.write(`${e.instruction}\n`);
    setExit(2);
    return undefined;
  }
}
