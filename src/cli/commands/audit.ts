import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { ApiClient, isApiError } from '../../client/api-client';
import { EXIT } from '../exit-codes';
import { isArt50Error } from '../../errors';
import { DirLogSource, exportLog } from '../../audit/files';
import { proveReceipt } from '../../audit/prove';
import { RemoteLogSource } from '../../audit/remote-source';
import type { LogSource } from '../../audit/source';
import { gatewayTrust, GatewayTrust } from '../../audit/trust';
import { describeVerify, SavedCheckpoint, savedCheckpointOf, verifyLog, VerifyReport } from '../../audit/verify';
import type { SetExit } from '../set-exit';
import { connect, UsageError } from '../../client/cli';
import { identityFlags, IdentityFlags, openIdentity } from '../identity';

/** Exit codes (cli/exit-codes): 0 verified/proven, 1 refused or unreachable, 2 the log/receipt does not verify, 3 not yet integrated, 64 usage. */
export { EXIT };

interface Conn extends IdentityFlags {
  gateway?: string;
  ca?: string;
}

interface TrustOpts {
  trust: string;
  crl: string[];
  registry: string;
}

async function client(o: Conn): Promise<ApiClient> {
  if (!o.p12 && (!o.cert || !o.key)) throw new UsageError('--cert and --key (or --p12) are required to talk to the gateway (or use --from DIR)');
  return connect(o, (await openIdentity(o, 'auditor')).tls);
}

function trustOf(o: TrustOpts): GatewayTrust {
  return gatewayTrust({ trust: o.trust, crl: o.crl, registry: o.registry });
}

/** A progress bar on stderr when it is a terminal; silent otherwise. */
function progress(label: string): { update(read: number, total: number | undefined): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ stream: process.stderr, format: `${label} [{bar}] {value}/{total} entries`, hideCursor: true }, Presets.shades_classic);
  let started = false;
  return {
    update(read, total) {
      const t = Math.max(total ?? read, read);
      if (!started) {
        bar.start(t, read);
        started = true;
      } else {
        bar.setTotal(t);
        bar.update(read);
      }
    },
    stop: () => started && bar.stop(),
  };
}

function fail(e: unknown, what: string, setExit: SetExit): void {
  const msg = isApiError(e) ? e.describe() : isArt50Error(e) ? `${e.code}: ${e.detail}` : e instanceof Error ? e.message : String(e);
  process.stderr.write(`${what} failed: ${msg}\n`);
  setExit(e instanceof UsageError || (isArt50Error(e) && (e.code === 'config.invalid' || e.code === 'config.unreadable' || e.code === 'registry.invalid')) ? EXIT.usage : EXIT.refused);
}

/** `caDefault`: where --ca comes from when not given (commands with --trust take it from there). */
function withConn(cmd: Command, caDefault = '--trust'): Command {
  return identityFlags(cmd, 'auditor')
    .option('--gateway <url>', 'gateway base URL (default $ART50_GATEWAY or https://localhost:8443)')
    .option('--ca <pem>', `trust root for the gateway TLS certificate (default: ${caDefault})`);
}

function withTrust(cmd: Command): Command {
  return cmd
    .option('--trust <pem>', 'trust anchors for signatures (PEM; $ART50_TRUST; --demo for keys.example)')
    .option('--crl <file...>', 'CRL file(s) ($ART50_CRL)')
    .option('--registry <json>', 'participant registry, the signer must be its gateway ($ART50_REGISTRY)');
}

function printVerify(r: VerifyReport, json: boolean | undefined): void {
  if (json) {
    const { latestSigned: _omit, ...rest } = r;
    void _omit;
    process.stdout.write(JSON.stringify(rest, null, 2) + '\n');
  } else {
    process.stdout.write(describeVerify(r) + '\n');
  }
}

export function registerAuditCommands(program: Command, setExit: SetExit): void {
  const audit = program.command('audit').description('auditor tools: verify the whole transparency log, export it, prove a receipt');

  withTrust(withConn(audit.command('verify')))
    .description('download (or read --from DIR) every entry and checkpoint, recompute the tree and verify every gateway signature; exit 0 only when the log verifies')
    .option('--from <dir>', 'verify an exported directory offline instead of the gateway')
    .option('--since <json>', 'a checkpoint saved earlier with --save: the log must still extend it')
    .option('--save <json>', 'write the latest verified checkpoint here (for the next --since)')
    .option('--origin <origin>', 'expected checkpoint origin (default: the saved checkpoint\'s, else the log\'s first)')
    .option('--json', 'print the report as JSON')
    .action(async (o: Conn & TrustOpts & { from?: string; since?: string; save?: string; origin?: string; json?: boolean }) => {
      let api: ApiClient | undefined;
      let trust: GatewayTrust | undefined;
      const bar = progress('entries');
      try {
        trust = trustOf(o);
        let source: LogSource;
        if (o.from) source = new DirLogSource(o.from);
        else source = new RemoteLogSource((api = await client(o)));
        const saved = o.since ? (JSON.parse(readFileSync(o.since, 'utf8')) as SavedCheckpoint) : undefined;
        const r = await verifyLog({
          source, trust,
          ...(saved ? { saved } : {}),
          ...(o.origin ? { origin: o.origin } : {}),
          onPage: (read, total) => bar.update(read, total),
        });
        bar.stop();
        printVerify(r, o.json);
        if (r.ok && o.save && r.latest && r.latestSigned) {
          writeFileSync(o.save, JSON.stringify(savedCheckpointOf(r.latestSigned, r.latest), null, 2) + '\n');
          if (!o.json) process.stdout.write(`saved checkpoint of tree size ${r.latest.treeSize} to ${o.save}\n`);
        }
        setExit(r.ok ? EXIT.ok : EXIT.invalid);
      } catch (e) {
        bar.stop();
        fail(e, 'audit verify', setExit);
      } finally {
        api?.close();
        trust?.close();
      }
    });

  withConn(audit.command('export'), '$ART50_TRUST, a profile, or --demo')
    .description('copy the log to DIR: entries.jsonl (exact entry strings, one a line) and checkpoints/<treeSize>.p7s')
    .requiredOption('--out <dir>', 'target directory')
    .option('--json', 'print {"out", "entries", "checkpoints"} as JSON')
    .action(async (o: Conn & { out: string; json?: boolean }) => {
      let api: ApiClient | undefined;
      const bar = progress('export');
      try {
        api = await client(o);
        const r = await exportLog(new RemoteLogSource(api), o.out, (read, total) => bar.update(read, total));
        bar.stop();
        if (o.json) process.stdout.write(JSON.stringify({ out: resolve(o.out), entries: r.entries, checkpoints: r.checkpoints }, null, 2) + '\n');
        else process.stdout.write(`exported ${r.entries} entries and ${r.checkpoints} checkpoints to ${o.out}\n`);
        setExit(EXIT.ok);
      } catch (e) {
        bar.stop();
        fail(e, 'audit export', setExit);
      } finally {
        api?.close();
      }
    });

  withTrust(withConn(audit.command('prove')))
    .description('prove that a gateway receipt is in the log: receipt signature, matching entry, inclusion under a signed checkpoint; exit 0 proven, 2 not, 3 not yet integrated')
    .requiredOption('--receipt <file>', 'the receipt (DER or PEM CMS)')
    .option('--from <dir>', 'use an exported directory instead of the gateway')
    .option('--json', 'print the report as JSON')
    .action(async (o: Conn & TrustOpts & { receipt: string; from?: string; json?: boolean }) => {
      let api: ApiClient | undefined;
      let trust: GatewayTrust | undefined;
      try {
        trust = trustOf(o);
        const receipt = readFileSync(o.receipt);
        const r = await proveReceipt(o.from ? { receipt, trust, dir: o.from } : { receipt, trust, remote: new RemoteLogSource((api = await client(o))) });
        if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        else process.stdout.write(`${r.verdict === 'proven' ? 'PROVEN' : r.verdict === 'not_integrated' ? 'NOT YET INTEGRATED' : 'NOT PROVEN'}: ${r.detail}\n`);
        setExit(r.verdict === 'proven' ? EXIT.ok : r.verdict === 'not_integrated' ? EXIT.notIntegrated : EXIT.invalid);
      } catch (e) {
        fail(e, 'audit prove', setExit);
      } finally {
        api?.close();
        trust?.close();
      }
    });
}
