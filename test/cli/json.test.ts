import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../src/redis/embedded';
import { sanctionedRequest, waitFor } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { KEYS, plainRegistryFile } from '../support/identities';
import { registryWithPush } from '../support/push-bank';
import { delivered } from '../statements/helpers';
import { CliRun, runCli } from '../support/cli';

/**
 * `--json` on `bank poll`, `bank serve`, `audit export`, `pki init` (issue 17.9): one-shot commands
 * print one JSON document, the long-running bank commands JSON Lines (one event a line), and
 * nothing else on stdout.
 */

jest.setTimeout(120_000);
const BIN = resolve(__dirname, '..', '..', 'bin', 'art50.js');
const key = (who: string): string[] => ['--cert', join(KEYS, `${who}.pem`), '--key', join(KEYS, `${who}.key`)];
const dirs: string[] = [];
const scratch = (name: string): string => {
  const d = mkdtempSync(join(tmpdir(), `art50-json-${name}-`));
  dirs.push(d);
  return d;
};

const cli = (...args: string[]): Promise<CliRun> => runCli(args);

/** Every stdout line parsed as JSON: fails on a line that is not. */
const jsonLines = (out: string): Array<Record<string, unknown>> => out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('against a test gateway', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('bank poll --once --json: a "polling" line, then one "delivery" line per delivery with its outcome', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    await delivered(t, 'ALFAKZKA', doc.requestId);
    const r = await cli('bank', 'poll', '--once', '--json', '--demo', '--registry', plainRegistryFile(), ...key('banks/ALFAKZKA'), '--gateway', `https://127.0.0.1:${t.port}`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = jsonLines(r.out);
    expect(lines[0]).toMatchObject({ event: 'polling', bank: 'ALFAKZKA', once: true, gateway: `https://127.0.0.1:${t.port}` });
    const mine = lines.find((l) => l.event === 'delivery' && l.requestId === doc.requestId);
    expect(mine).toMatchObject({ bank: 'ALFAKZKA', outcome: 'answered', result: expect.stringMatching(/^(found|not_found)$/) });
    expect(typeof mine!.deliveryId).toBe('string');
    expect(typeof mine!.statementId).toBe('string');
    for (const l of lines) expect(Number.isNaN(Date.parse(String(l.at)))).toBe(false);
  });

  it('audit export --json: {out, entries, checkpoints} matching what was written', async () => {
    await sanctionedRequest(t, { banks: ['BETAKZKA'] });
    const out = scratch('export');
    const r = await cli('audit', 'export', '--json', '--demo', ...key('auditor/auditor-1'), '--gateway', `https://127.0.0.1:${t.port}`, '--out', out);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { out: string; entries: number; checkpoints: number };
    expect(report.out).toBe(resolve(out));
    expect(report.entries).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'entries.jsonl'), 'utf8').split('\n').filter((l) => l !== '')).toHaveLength(report.entries);
    expect(readdirSync(join(out, 'checkpoints'))).toHaveLength(report.checkpoints);
  });

  it('audit export --help names where --ca comes from, not a --trust the command does not have', async () => {
    const r = await cli('audit', 'export', '--help');
    expect(r.out).toContain('--ca <pem>');
    expect(r.out).not.toContain('--trust');
    expect(r.out).toMatch(/\$ART50_TRUST, a profile, or --demo/);
  });
});

describe('pki init --json', () => {
  it('prints {out, files}, every file written', async () => {
    const out = scratch('pki');
    const r = await cli('pki', 'init', '--json', '--out', out);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { out: string; files: string[] };
    expect(report.out).toBe(resolve(out));
    expect(report.files).toContain('ca/root.pem');
    expect(report.files.length).toBeGreaterThan(20);
    for (const f of report.files) expect(existsSync(join(out, f))).toBe(true);
  });
});

describe('bank serve --json (a process)', () => {
  it('JSON Lines: "listening" with the registry entry, "delivery" per pushed delivery once answered, "stopped" on SIGTERM', async () => {
    const port = await freePort();
    const url = `https://127.0.0.1:${port}/art50/deliveries`;
    const t = await startTestGateway({ ART50_REGISTRY: registryWithPush('GAMMKZKA', url) });
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, [BIN, 'bank', 'serve', '--json', '--demo', '--registry', plainRegistryFile(), ...key('banks/GAMMKZKA'), '--gateway', `https://127.0.0.1:${t.port}`, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
      await waitFor(async () => out.includes('"event":"listening"'), `the listening line; stderr: ${err}`, 30_000);
      expect(jsonLines(out)[0]).toEqual({ event: 'listening', at: expect.any(String), bank: 'GAMMKZKA', url, statementsTo: `https://127.0.0.1:${t.port}`, registryEntry: { delivery: { mode: 'push', url } } });

      const { doc } = await sanctionedRequest(t, { banks: ['GAMMKZKA'] });
      const answered = await waitFor(async () => jsonLines(out).find((l) => l.event === 'delivery' && l.requestId === doc.requestId), `the delivery line; stdout: ${out} stderr: ${err}`, 30_000);
      expect(answered).toMatchObject({ bank: 'GAMMKZKA', outcome: 'answered', statementId: expect.any(String) });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = jsonLines(out);
      expect(lines[lines.length - 1]).toMatchObject({ event: 'stopped', bank: 'GAMMKZKA', signal: 'SIGTERM' });
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await t.stop();
    }
  });
});

describe('demo --json', () => {
  it('JSON Lines on stdout: "start" with the output directory, a "step" per timeline row, "done" with the exit code; the narrative on stderr', async () => {
    const out = scratch('demo');
    const r = await cli('demo', '--json', '--out', out);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.out);
    expect(lines[0]).toEqual({ event: 'start', out });
    expect(lines[lines.length - 1]).toEqual({ event: 'done', ok: true, exitCode: 0 });
    const steps = lines.filter((l) => l.event === 'step');
    expect(steps.length).toBeGreaterThan(10);
    for (const s of steps) expect(s).toEqual({ event: 'step', at: expect.any(Number), who: expect.any(String), what: expect.any(String), ...(s.ms !== undefined ? { ms: expect.any(Number) } : {}) });
    expect(steps.some((s) => s.who === 'prosecutor' && String(s.what).includes('granted'))).toBe(true);
    expect(lines.filter((l) => !['start', 'step', 'done'].includes(String(l.event)))).toEqual([]);
    expect(r.err).toContain('art50 demo');
  });
});
