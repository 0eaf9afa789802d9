import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

jest.setTimeout(180_000);

const BIN = resolve(__dirname, '..', '..', 'bin', 'art50.js');

/**
 * `art50 demo` as a person runs it (`npm run demo`): the command's own text output, not runDemo
 * with a test printer — the step that runs `police follow` inside the demo routes that command's
 * stdout through the demo's printer, which once looped on itself and failed the demo there.
 */
describe('art50 demo (text output)', () => {
  it('runs every step to the verified log and exits 0', async () => {
    const out = mkdtempSync(join(tmpdir(), 'art50-cli-demo-'));
    try {
      const child = spawn(process.execPath, [BIN, 'demo', '--out', out], { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect({ code, stderr: stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
      expect(stdout).toContain('$ art50 police follow');
      expect(stdout).toMatch(/art50 police follow: \d+ next-hop request\(s\)/);
      expect(stdout).toMatch(/log verified: \d+ entries/);
      expect(stdout + stderr).not.toMatch(/follow failed|Maximum call stack/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
