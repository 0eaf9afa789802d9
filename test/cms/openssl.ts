import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs stock openssl in a scratch directory; throws with stderr when it fails. */
export const scratch = mkdtempSync(join(tmpdir(), 'art50-cms-'));
let n = 0;

export function openssl(args: string[], input?: Buffer): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function tmpFile(content: Buffer | string, ext = 'bin'): string {
  const f = join(scratch, `f${n++}.${ext}`);
  writeFileSync(f, content);
  return f;
}

/** `openssl cms -sign` of `content` with the given keys.example identity (path without extension). */
export function opensslSign(content: Buffer, signer: string, extra: string[] = [], signers: string[] = [signer]): Buffer {
  const inFile = tmpFile(content, 'json');
  const out = join(scratch, `o${n++}.p7s`);
  const signerArgs = signers.flatMap((s) => ['-signer', `${s}.pem`, '-inkey', `${s}.key`]);
  openssl(['cms', '-sign', '-nodetach', '-binary', '-md', 'sha256', '-outform', 'DER', ...signerArgs, '-in', inFile, '-out', out, ...extra]);
  return readFileSync(out);
}

/** `openssl cms -verify` against keys.example's root; returns the content OpenSSL writes out. */
export function opensslVerify(der: Buffer, extra: string[] = []): Buffer {
  const inFile = tmpFile(der, 'p7s');
  const out = join(scratch, `v${n++}.out`);
  openssl(['cms', '-verify', '-inform', 'DER', '-in', inFile, '-CAfile', 'keys.example/ca/root.pem', '-binary', '-out', out, ...extra]);
  return readFileSync(out);
}
