import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../src/demo/run';

/** `npm run demo` in-process: the whole case, then the audit verdict. */
describe('the demo', () => {
  it('plays the case end to end and verifies the log', async () => {
    const out = mkdtempSync(join(tmpdir(), 'art50-demo-'));
    const lines: string[] = [];
    const code = await runDemo({ outDir: out, redisUrl: process.env.REDIS_URL!, print: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(code).toBe(0);
    expect(text).toMatch(/log verified: \d+ entries/);
    expect(text).toContain('art50 police follow');
    expect(text).toMatch(/signs: refused — rejected/);
    expect(text).toMatch(/delivery overdue/);
    expect(text).toMatch(/TOO Demo Crypto Exchange/);
    expect(readdirSync(join(out, 'statements')).length).toBeGreaterThanOrEqual(7);
  }, 90_000);
});
