import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Stock openssl with the gost engine (Debian package libengine-gost-openssl), the reference the
 * pure-TypeScript GOST code is checked against. The tests need it: CI installs it (.ci/run).
 */

let checked = false;

export function requireGostEngine(): void {
  if (checked) return;
  try {
    execFileSync('openssl', ['engine', '-t', 'gost'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `the GOST interop tests need openssl's gost engine, which is missing: install the Debian package ` +
        `libengine-gost-openssl (apt-get install -y libengine-gost-openssl; .ci/run does this). (${why.split('\n')[0]})`,
    );
  }
  checked = true;
}

/** Runs `openssl <command> -engine gost <args…>` and returns stdout; throws with stderr on failure. */
export function gostOpenssl(args: string[], input?: Buffer): Buffer {
  const [command, ...rest] = args;
  try {
    return execFileSync('openssl', [command!, '-engine', 'gost', ...rest], {
      input: input ?? Buffer.alloc(0),
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr.trim()}`);
  }
}

/** A scratch directory removed by the returned cleanup. */
export function scratchDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'art50-gost-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
