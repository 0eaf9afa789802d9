import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { demoCoreFor } from '../../demo/core-banking/for-bank';
import { startPushServer } from '../../bank/push-server';
import { HandleOutcome, ReferenceBank } from '../../bank/reference-bank';
import type { ApiClient } from '../../client/api-client';
import { connect, CONNECTION_HELP, reportError, trustFor, UsageError } from '../../client/cli';
import { identityFlags, IdentityFlags, openIdentity } from '../identity';
import type { ClientTrust } from '../../client/trust';
import type { SetExit } from '../set-exit';
import { untilSignal } from '../stop-request';


interface BankOpts extends IdentityFlags {
  gateway?: string;
  ca?: string;
  crl?: string[];
  registry?: string;
  data?: string;
  seed: string;
  ignoreRequests?: boolean;
  trail?: boolean;
}

function intOpt(raw: string, name: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min}`);
  return n;
}

function describe(o: HandleOutcome): string {
  switch (o.outcome) {
    case 'answered':
      return `${o.deliveryId}: answered ${o.result} (${o.accounts} account(s), ${o.movements} movement(s)), statement ${o.statementId}`;
    case 'acknowledged':
      return `${o.deliveryId}: acknowledged, not answered (${o.note})`;
    case 'duplicate':
      return `${o.deliveryId}: already handled`;
    case 'rejected':
      return `${o.deliveryId}: REJECTED ${o.code}: ${o.detail} (not acknowledged)`;
  }
}

async function makeBank(o: BankOpts, log: (l: string) => void): Promise<{ bank: ReferenceBank; api: ApiClient; trust: ClientTrust; tls: { cert: Buffer; key: Buffer } }> {
  const opened = await openIdentity(o, 'bank system');
  const identity = await opened.signer();
  const trust = trustFor(o);
  try {
    const api = connect(o, opened.tls);
    const core = demoCoreFor(trust.registry, identity.cert, { seed: intOpt(o.seed, '--seed', 0), trail: o.trail !== false });
    const bank = new ReferenceBank({
      api, identity, registry: trust.registry, trust, core, log,
      ...(o.data ? { dataDir: resolve(o.data) } : {}), ...(o.ignoreRequests ? { ignoreRequests: true } : {}),
    });
    return { bank, api, trust, tls: opened.tls };
  } catch (e) {
    trust.close();
    throw e;
  }
}

type MadeBank = Awaited<ReturnType<typeof makeBank>>;

/**
 * One bank command's frame: the option checks first (a usage error before any key is opened), then
 * the reference bank made from the options, closed afterwards whatever happens; an error sets the
 * exit code with its report.
 */
async function withBank(name: string, o: BankOpts, setExit: SetExit, log: (line: string) => void, checks: ReadonlyArray<() => unknown>, run: (made: MadeBank) => Promise<void>): Promise<void> {
  let made: MadeBank | undefined;
  try {
    for (const check of checks) check();
    made = await makeBank(o, log);
    await run(made);
  } catch (e) {
    setExit(reportError(name, e));
  } finally {
    made?.api.close();
    made?.trust.close();
  }
}

/**
 * What the long-running bank commands print: with --json one JSON object a line (JSON Lines), each
 * with "event" and "at" — the stable form for a script to follow; otherwise text lines for a person.
 */
function output(json: boolean): { text(line: string): void; event(event: string, data: Record<string, unknown>, text?: string): void } {
  const at = (): string => new Date().toISOString();
  return {
    // With --json the free-text lines (failures the bank reports) go to stderr, so stdout stays JSON.
    text: (line) => void (json ? process.stderr : process.stdout).write(`${at()} ${line}\n`),
    event(event, data, text) {
      if (json) process.stdout.write(`${JSON.stringify({ event, at: at(), ...data })}\n`);
      else if (text !== undefined) process.stdout.write(`${at()} ${text}\n`);
    },
  };
}

function common(c: Command): Command {
  return identityFlags(c, 'bank system', { signs: true })
    .option('--gateway <url>', CONNECTION_HELP.gateway)
    .option('--ca <pem>', CONNECTION_HELP.ca)
    .option('--crl <file...>', CONNECTION_HELP.crl)
    .option('--registry <json>', CONNECTION_HELP.registry)
    .option('--data <dir>', 'keep received requests/sanctions and sent statements here (<dir>/<requestId>/)')
    .option('--seed <n>', 'seed of the demo core banking system', '50')
    .option('--no-trail', 'do not plant the demo money trail')
    .option('--ignore-requests', 'acknowledge deliveries but never answer them (to watch deadlines pass)');
}

export function registerBankCommands(program: Command, setExit: SetExit): void {
  const bank = program.command('bank').description('reference bank back-office (demo core banking): poll the inbox or serve a push endpoint, answer with signed statements');

  common(bank.command('poll')
    .description('poll the inbox: verify request + sanction, acknowledge, answer with a signed statement')
    .option('--once', 'one pass over the inbox, then exit')
    .option('--interval <ms>', 'pause between polls', '2000')
    .option('--limit <n>', 'deliveries per poll', '50')
    .option('--json', 'JSON Lines on stdout: {"event":"polling",…}, then {"event":"delivery",…} per delivery handled (its outcome), {"event":"stopped",…} on a signal'))
    .action(async (o: BankOpts & { once?: boolean; interval: string; limit: string; json?: boolean }) => {
      const out = output(o.json === true);
      const interval = (): number => intOpt(o.interval, '--interval', 10);
      const limit = (): number => intOpt(o.limit, '--limit', 1);
      await withBank('poll', o, setExit, () => undefined, [interval, limit], async (made) => {
        const [every, most] = [interval(), limit()];
        const bic = made.bank.bic;
        out.event('polling', { bank: bic, gateway: made.api.baseUrl, once: o.once === true, ...(o.once ? {} : { intervalMs: every }), limit: most }, `bank ${bic} polling ${made.api.baseUrl}${o.once ? ' once' : ` every ${every} ms`}`);
        let stopped = false;
        let stoppedBy: string | undefined;
        const signal = o.once ? undefined : untilSignal().then((sig) => {
          stopped = true;
          stoppedBy = sig;
        });
        do {
          let outcomes: HandleOutcome[] = [];
          try {
            outcomes = await made.bank.pollOnce(most);
          } catch (e) {
            if (o.once) throw e;
            setExit(reportError('poll', e));
          }
          for (const x of outcomes) out.event('delivery', { bank: bic, ...x }, describe(x));
          if (outcomes.some((x) => x.outcome === 'rejected')) setExit(2);
          if (o.once) break;
          if (outcomes.length < most) await Promise.race([new Promise((r) => setTimeout(r, every)), signal]);
        } while (!stopped);
        // After the pass in progress: nothing follows this line.
        if (stoppedBy) out.event('stopped', { bank: bic, signal: stoppedBy });
      });
    });

  common(bank.command('serve')
    .description('push endpoint: HTTPS with the bank certificate, accepts only the gateway\'s client certificate; answers asynchronously via POST /v1/statements')
    .requiredOption('--port <n>', 'port to listen on')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--path <path>', 'URL path of the endpoint', '/art50/deliveries')
    .option('--json', 'JSON Lines on stdout: {"event":"listening",…} with the URL and the registry entry, then {"event":"delivery",…} per pushed delivery (its outcome once answered, or rejected), {"event":"stopped",…} on a signal'))
    .action(async (o: BankOpts & { port: string; host: string; path: string; json?: boolean }) => {
      const json = o.json === true;
      const out = output(json);
      const port = (): number => intOpt(o.port, '--port', 0);
      // Text mode: the bank's own lines tell each outcome; JSON mode: onOutcome does, as data.
      await withBank('serve', o, setExit, json ? () => undefined : out.text, [port], async (made) => {
        const bic = made.bank.bic;
        const server = await startPushServer({
          bank: made.bank, trust: made.trust, cert: made.tls.cert, key: made.tls.key, ca: readFileSync(o.ca!),
          port: port(), host: o.host, path: o.path, log: out.text,
          ...(json ? { onOutcome: (x: HandleOutcome) => out.event('delivery', { bank: bic, ...x }) } : {}),
        });
        const url = `https://${o.host}:${server.port}${o.path}`;
        out.event('listening', { bank: bic, url, statementsTo: made.api.baseUrl, registryEntry: { delivery: { mode: 'push', url } } },
          `bank ${bic} push endpoint at ${url}; statements go to ${made.api.baseUrl}\n${new Date().toISOString()} registry entry: "delivery": {"mode": "push", "url": "${url}"}`);
        const signal = await untilSignal();
        // close() waits for the queued deliveries to be answered: their lines come first.
        await server.close();
        out.event('stopped', { bank: bic, signal }, `stopped by ${signal}`);
      });
    });
}
