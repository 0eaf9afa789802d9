import { readFileSync } from 'node:fs';
import { Art50Error } from './errors';

/**
 * A secret from the file named in `<name>_FILE` (its content without the final line end), else from
 * `<name>` itself; never from a command line, where other users of the machine could read it.
 * A named file that cannot be read is config.unreadable.
 */
export function secretFromEnv(env: Record<string, string | undefined>, name: string, abs: (p: string) => string): string | undefined {
  const fileVar = `${name}_FILE`;
  const file = env[fileVar];
  if (file) {
    try {
      return readFileSync(abs(file), 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new Art50Error('config.unreadable', `${fileVar}: ${abs(file)} is not readable`, { field: fileVar, cause: e });
    }
  }
  return env[name] || undefined;
}
