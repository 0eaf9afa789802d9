import { main } from '../../src/cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `art50 <args>` in this process, as bin/art50.js would, with stdout and stderr captured.
 * `keyPassword` is ART50_KEY_PASSWORD for the call (keys.example's PKCS#12 password), restored after.
 */
export async function runCli(args: readonly string[], opts: { keyPassword?: string } = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
  const before = process.env.ART50_KEY_PASSWORD;
  if (opts.keyPassword !== undefined) process.env.ART50_KEY_PASSWORD = opts.keyPassword;
  try {
    const code = await main(['node', 'art50', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    if (before === undefined) delete process.env.ART50_KEY_PASSWORD;
    else process.env.ART50_KEY_PASSWORD = before;
    o.mockRestore();
    e.mockRestore();
  }
}
