import { Art50Error } from '../../src/errors';
import type { ErrorCode } from '../../src/errors';

/**
 * Asserts that `fn` throws an Art50Error with exactly `code` (not just "some error"), and returns
 * it for further checks. Fails with the actual code or the foreign error otherwise.
 */
export function expectCode(fn: () => unknown, code: ErrorCode): Art50Error {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected ${code}, but nothing was thrown`);
  if (!(thrown instanceof Art50Error)) {
    throw new Error(`expected Art50Error ${code}, got ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`);
  }
  if (thrown.code !== code) throw new Error(`expected ${code}, got ${thrown.code}: ${thrown.detail}`);
  return thrown;
}

export async function expectCodeAsync(fn: () => Promise<unknown>, code: ErrorCode): Promise<Art50Error> {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  return expectCode(() => {
    if (thrown !== undefined) throw thrown;
  }, code);
}
