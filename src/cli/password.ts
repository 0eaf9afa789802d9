import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { UsageError } from '../client/cli';

/**
 * Where a key password comes from: --password-file, then $ART50_KEY_PASSWORD, then a prompt on the
 * terminal. Never from a command-line argument (it would sit in the shell history and in `ps`).
 */

export interface PasswordFlags {
  passwordFile?: string;
}

export async function obtainPassword(o: PasswordFlags, what: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (o.passwordFile) {
    let text: string;
    try {
      text = readFileSync(o.passwordFile, 'utf8');
    } catch {
      throw new UsageError(`cannot read the password file ${o.passwordFile}`);
    }
    return text.replace(/\r?\n$/, ''); // the file's one line, without its line end
  }
  if (env.ART50_KEY_PASSWORD !== undefined && env.ART50_KEY_PASSWORD !== '') return env.ART50_KEY_PASSWORD;
  if (!process.stdin.isTTY) throw new UsageError(`${what} is protected by a password: give --password-file FILE or set ART50_KEY_PASSWORD`);
  return prompt(`Password for ${what}: `);
}

/** Reads one line from the terminal without echoing it. */
function prompt(question: string): Promise<string> {
  process.stderr.write(question);
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
