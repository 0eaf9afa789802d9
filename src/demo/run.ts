import { KeyObject, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signCms } from '../cms/sign';
import { loadConfig, PACKAGE_ROOT } from '../config';
import { createGateway, Gateway } from '../gateway';
import { createLogger } from '../logger';
import { ApiClient } from '../client/api-client';
import { loadClientTrust, ClientTrust } from '../client/trust';
import { movementsCsv } from '../client/csv';
import { Command } from 'commander';
import { registerPoliceCommands } from '../cli/commands/police';
import { demoCoreFor } from './core-banking/for-bank';
import { startPushServer, PushServer } from '../bank/push-server';
import { ReferenceBank } from '../bank/reference-bank';
import { demoMoneyTrail } from './core-banking/trail';
import type { RequestDoc, SanctionDoc, StatementDoc } from '../documents/types';
import { RemoteLogSource } from '../audit/remote-source';
import { logKeys } from '../log/keys';
import { gatewayTrust } from '../audit/trust';
import { describeVerify, verifyLog } from '../audit/verify';
import { DEMO_BIN, DEMO_IIN, DEMO_P12_PASSWORD } from './pki/participants';
import { loadKeyFile } from '../pki/key-file';
import { unsealStatement } from '../statements/unseal';
import { demoIdentity, DemoIdentity, demoSigner } from './pki/identity';
import { EmbeddedRedis, freePort, startEmbeddedRedis } from '../redis/embedded';
import { serverTarget } from '../redis/target';
import { maskId, table, Timeline, TimelineRow } from './timeline';
import { untilSignal } from '../cli/stop-request';

const KEYS = join(PACKAGE_ROOT, 'keys.example');
const PERIOD = { from: '2025-02-01', to: '2025-03-13' };


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`demo: timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface Party {
  /** AUTH key: the TLS client. */
  id: DemoIdentity;
  /** SIGN key: documents (the same identity for systems). */
  signer: DemoIdentity;
  api: ApiClient;
}

/**
 * `art50 demo` (`npm run demo`): the whole Art. 50 flow on an embedded Redis, a real gateway over
 * HTTPS with client certificates and three reference banks (two pull, one push), narrated step by
 * step on one timeline: (1) account discovery, (2) follow the money, (3) a missed deadline, (4) the
 * money trail, (5) the auditor's recomputation of the log.
 *
 * Kept as one function on purpose (the module is ~350 lines): it is a script read top to bottom
 * as the story of one case, every step uses what the steps before it produced, and the demo's
 * parts (PKI, core banking, reference bank, timeline) already live in their own modules.
 */
export async function runDemo(o: { outDir?: string; redisUrl?: string; print?: (line: string) => void; serve?: boolean; untilStop?: () => Promise<void>; onServing?: (consoleUrl: string) => void; onStart?: (outDir: string) => void; onStep?: (row: TimelineRow) => void } = {}): Promise<number> {
  const print = o.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = o.outDir ?? join(PACKAGE_ROOT, 'var', 'demo', stamp);
  mkdirSync(out, { recursive: true });
  o.onStart?.(out);
  const tl = new Timeline(print, o.onStep);
  const stops: Array<() => Promise<unknown>> = [];
  let redis: EmbeddedRedis | undefined;
  try {
    print('art50 demo — an internet-fraud case traced through mule accounts (all data invented)\n');
    let redisUrl = o.redisUrl;
    if (!redisUrl) {
      redis = await startEmbeddedRedis({ dataDir: join(out, 'redis'), log: (m) => print(`  ${m}`) });
      redisUrl = redis.url;
      stops.push(() => redis!.stop());
      tl.note('ops', `embedded redis-server (appendonly) at ${redisUrl}`);
    }

    // The push bank's endpoint must exist before the gateway reads the registry that points at it.
    const gwPort = await freePort();
    const gatewayUrl = `https://127.0.0.1:${gwPort}`;
    const ca = readFileSync(join(KEYS, 'ca/root.pem'));
    const party = (name: string): Party => {
      const id = demoIdentity(name);
      return { id, signer: demoSigner(name), api: new ApiClient({ baseUrl: gatewayUrl, cert: id.certPem, key: id.keyPem, ca }) };
    };
    const registryFile = join(out, 'participants.json');
    const reg = JSON.parse(readFileSync(join(KEYS, 'participants.json'), 'utf8')) as { organisations: Array<Record<string, unknown>> };
    const trust: ClientTrust = (() => {
      writeFileSync(registryFile, JSON.stringify(reg, null, 2));
      return loadClientTrust({ registry: registryFile });
    })();
    stops.push(async () => trust.close());

    const bankParty = (bic: string, extra: { ignoreRequests?: boolean } = {}): ReferenceBank => {
      const p = party(`banks/${bic}`);
      return new ReferenceBank({
        api: p.api, identity: p.id, registry: trust.registry, trust,
        core: demoCoreFor(trust.registry, p.id.cert, { trail: true }), dataDir: join(out, 'banks', bic), ...extra,
      });
    };
    const gamma = bankParty('GAMMKZKA');
    const gammaId = demoIdentity('banks/GAMMKZKA');
    const push: PushServer = await startPushServer({ bank: gamma, cert: gammaId.certPem, key: gammaId.keyPem, ca, trust, host: '127.0.0.1' });
    stops.push(() => push.close());
    for (const org of reg.organisations) if (org.bic === 'GAMMKZKA') org.delivery = { mode: 'push', url: `https://127.0.0.1:${push.port}/art50/deliveries` };
    writeFileSync(registryFile, JSON.stringify(reg, null, 2));

    const config = loadConfig({
      ...process.env, ART50_PORT: String(gwPort), ART50_HOST: '127.0.0.1', ART50_NAMESPACE: `demo-${Date.now()}`,
      ART50_REGISTRY: registryFile, ART50_DEADLINE_HOUR_MS: '1500', ART50_CHECKPOINT_INTERVAL_MS: '100', ART50_PUSH_BACKOFF_MS: '200',
    });
    const gateway: Gateway = createGateway({ config, redis: serverTarget(redisUrl), logger: createLogger({ level: 'warn', silent: true }) });
    await gateway.start();
    stops.unshift(() => gateway.stop());
    tl.note('ops', `gateway on ${gatewayUrl} (HTTPS, client certificates); banks: ALFAKZKA pull, BETAKZKA pull, GAMMKZKA push`);

    // Pull banks poll their inbox in the background, as a bank's back-office would.
    const pollers = new Map<string, { bank: ReferenceBank; stop: boolean }>();
    const startPolling = (bank: ReferenceBank): { bank: ReferenceBank; stop: boolean } => {
      const p = { bank, stop: false };
      pollers.set(bank.bic, p);
      void (async () => {
        while (!p.stop) {
          try {
            for (const r of await bank.pollOnce()) {
              if (r.outcome === 'answered') tl.note(`bank ${bank.bic}`, `answered ${short(r.requestId)}: ${r.result}, ${r.accounts} account(s), ${r.movements} movement(s)`);
              if (r.outcome === 'acknowledged') tl.note(`bank ${bank.bic}`, `acknowledged ${short(r.requestId)} — ${r.note}`);
            }
          } catch (e) {
            tl.note(`bank ${bank.bic}`, `poll failed: ${e instanceof Error ? e.message : String(e)}`);
          }
          await sleep(100);
        }
      })();
      return p;
    };
    startPolling(bankParty('ALFAKZKA'));
    const betaPoller = startPolling(bankParty('BETAKZKA'));
    stops.unshift(async () => {
      for (const p of pollers.values()) p.stop = true;
      await sleep(150);
    });

    const police = party('police/investigator-1');
    const prosecutor = party('prosecutor/prosecutor-1');
    const auditor = party('auditor/auditor-1');
    const trail = demoMoneyTrail();
    const example = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schemas', 'examples', 'request.json'), 'utf8')) as RequestDoc;

    const submit = async (doc: RequestDoc, label: string, by: Party = police, who = 'investigator'): Promise<string> => {
      const der = signCms(Buffer.from(JSON.stringify(doc), 'utf8'), by.signer);
      const r = await tl.step(who, `signs and submits ${label}`, () => by.api.submitRequest(der), (v) => `${v.state}, digest ${v.digest.slice(0, 12)}…, log #${v.logIndex}`);
      return r.digest;
    };
    const decide = async (requestId: string, decision: 'granted' | 'refused', reason: string): Promise<void> => {
      const pending = await prosecutor.api.pending();
      const item = pending.items.find((i) => i.requestId === requestId);
      if (!item) throw new Error(`demo: ${requestId} is not pending for the prosecutor`);
      const verified = trust.open(Buffer.from(item.request, 'base64'), 'request');
      const now = Date.now();
      const sanction: SanctionDoc = {
        type: 'sanction', version: 1, sanctionId: randomUUID(), requestId, requestDigest: verified.digest, decision, reason,
        issuedAt: new Date(now - 1000).toISOString(), validUntil: new Date(now + 24 * 3600_000).toISOString(),
        prosecutor: { iin: DEMO_IIN.prosecutor1, bin: DEMO_BIN.officeA, name: 'Gulnara Sadykova' },
        case: { erdrNumber: verified.doc.case.erdrNumber },
      };
      const der = signCms(Buffer.from(JSON.stringify(sanction), 'utf8'), prosecutor.signer);
      await tl.step('prosecutor', `reviews ${short(requestId)} (signature, article ${verified.doc.case.article}) and signs: ${decision}`, () => prosecutor.api.sanction(requestId, der), (v) => v.state);
    };
    const answered = async (requestId: string): Promise<void> => {
      const s = Date.now();
      const st = await until(`answers to ${requestId}`, async () => {
        const v = await police.api.status(requestId);
        return v.state === 'completed' ? v : undefined;
      });
      tl.note('gateway', `${short(requestId)} completed: ${st.banks.map((b) => `${b.bic} ${b.state}`).join(', ')}`, Date.now() - s);
    };
    const statements = new Map<string, StatementDoc>();
    // Body A's encryption key: banks encrypt statements to its certificate; the gateway never holds it.
    const p12 = join(KEYS, 'police/encryption-A.p12');
    const loaded = loadKeyFile(readFileSync(p12), p12, () => DEMO_P12_PASSWORD);
    const decryption = { cert: loaded.certificates[0]!, key: loaded.key as KeyObject };
    let encrypted = 0;
    const fetch = async (requestId: string): Promise<StatementDoc[]> => {
      const list = await police.api.listStatements(requestId);
      const docs: StatementDoc[] = [];
      for (const item of list.items) {
        const downloaded = await police.api.fetchStatement(item.statementId);
        const dir = join(out, 'statements', requestId);
        mkdirSync(dir, { recursive: true });
        let der = downloaded;
        let v;
        if (typeof item.header === 'string') {
          const header = trust.open(Buffer.from(item.header, 'base64'), 'statement-header');
          const opened = unsealStatement({ header, ciphertext: downloaded, identity: decryption, open: (b) => trust.open(b, 'statement') });
          ({ statement: v, signed: der } = opened);
          writeFileSync(join(dir, `${item.statementId}.p7e`), downloaded);
          writeFileSync(join(dir, `${item.statementId}.header.p7s`), header.cms);
          encrypted++;
        } else {
          v = trust.open(der, 'statement');
        }
        writeFileSync(join(dir, `${item.statementId}.p7s`), der);
        writeFileSync(join(dir, `${item.statementId}.json`), JSON.stringify(v.doc, null, 2));
        writeFileSync(join(dir, `${item.statementId}.movements.csv`), movementsCsv(v.doc));
        statements.set(item.statementId, v.doc);
        docs.push(v.doc);
      }
      tl.note('investigator', `downloads ${docs.length} statement(s) of ${short(requestId)}${encrypted ? ', decrypts them with body A\'s key (the gateway stored ciphertext only)' : ''} and verifies the banks' signatures → ${join(out, 'statements', requestId)}`);
      return docs;
    };

    // 1. Account discovery for the suspect at every bank.
    print('\n— hop 1: the suspect, at all banks —');
    const first: RequestDoc = {
      ...example, requestId: randomUUID(), createdAt: new Date().toISOString(),
      subject: { iin: trail.subjectIin, name: 'Subject Demo-One' },
      scope: { accountList: true, balances: { asOf: PERIOD.to }, movements: PERIOD },
      banks: 'all', deadlineHours: 72,
    };
    await submit(first, `request ${short(first.requestId)} (subject ${maskId(trail.subjectIin)}, banks: all)`);
    await decide(first.requestId, 'granted', 'Grounds of Art. 50 para 7 subpara b) established; limited to the period of the offence');
    await answered(first.requestId);
    const hop1 = await fetch(first.requestId);

    // 2. Follow the money: one request per counterparty who received money from the suspect.
    print('\n— hop 2: follow the money to the mule accounts —');
    const found = hop1.find((s) => s.result === 'found' && (s.accounts ?? []).some((a) => (a.movements ?? []).length > 0));
    if (!found) throw new Error('demo: no statement with movements to follow');
    // The investigator's own command: art50 police follow --statement S.
    const stmtFile = join(out, 'statements', first.requestId, `${found.statementId}.p7s`);
    const parentFile = join(out, 'statements', first.requestId, 'request.json');
    writeFileSync(parentFile, JSON.stringify(first, null, 2));
    const hopsDir = join(out, 'hops');
    const argv = ['node', 'art50', 'police', 'follow', '--statement', stmtFile, '--out', hopsDir, '--request-template', parentFile,
      '--ca', join(KEYS, 'ca/root.pem'), '--crl', join(KEYS, 'ca/crl.pem'), '--registry', registryFile];
    print(`  $ art50 police follow --statement ${stmtFile} --out ${hopsDir}`);
    let followed = 0;
    const cli = new Command('art50').exitOverride();
    registerPoliceCommands(cli, (code) => {
      followed = code;
    });
    // The command prints to stdout; a caller with its own `print` (demo --json: the narrative on
    // stderr, stdout kept for JSON) gets those lines through it instead.
    const stdoutWrite = process.stdout.write;
    if (o.print) {
      const print = o.print;
      process.stdout.write = ((chunk: string | Uint8Array): boolean => {
        for (const line of (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')).replace(/\n$/, '').split('\n')) print(line);
        return true;
      }) as typeof process.stdout.write;
    }
    try {
      await cli.parseAsync(argv);
    } finally {
      process.stdout.write = stdoutWrite;
    }
    if (followed !== 0) throw new Error(`demo: art50 police follow exited with ${followed}`);
    const hops = readdirSync(hopsDir).filter((f) => f.endsWith('.request.json')).sort().map((f) => {
      const request = JSON.parse(readFileSync(join(hopsDir, f), 'utf8')) as RequestDoc;
      return { request, counterpartyIin: request.subject.iin };
    });
    tl.note('investigator', `art50 police follow: ${hops.length} next-hop request(s) from statement ${short(found.statementId)}`);
    const refusedHop = hops[hops.length - 1]!;
    for (const h of hops) await submit(h.request, `follow-up ${short(h.request.requestId)} (subject ${maskId(h.counterpartyIin)}, banks: ${Array.isArray(h.request.banks) ? h.request.banks.join(',') : h.request.banks})`);
    for (const h of hops) {
      if (h === refusedHop) await decide(h.request.requestId, 'refused', 'Transfer below the threshold of the case; no grounds for a further request');
      else await decide(h.request.requestId, 'granted', 'Follow-up of the money trail established in the first statement');
    }
    for (const h of hops) if (h !== refusedHop) await answered(h.request.requestId);
    for (const h of hops) if (h !== refusedHop) await fetch(h.request.requestId);
    const refusedStatus = await police.api.status(refusedHop.request.requestId);
    tl.note('investigator', `${short(refusedHop.request.requestId)} is ${refusedStatus.state}: "${refusedStatus.decision?.reason ?? ''}"`);

    // 3. A bank lets the (shortened) deadline pass.
    print('\n— a deadline passes —');
    betaPoller.stop = true;
    await sleep(200);
    startPolling(bankParty('BETAKZKA', { ignoreRequests: true }));
    // Signed by a second investigator of body A whose NCA SIGN key is GOST R 34.10-2012 (TLS with the RSA AUTH key).
    const gostInvestigator = party('police/investigator-gost');
    const late: RequestDoc = {
      ...first, requestId: randomUUID(), createdAt: new Date().toISOString(), banks: ['BETAKZKA'], deadlineHours: 2, subject: { iin: trail.collectorIin },
      signer: { iin: DEMO_IIN.investigatorGost, name: 'Nurlan Gostov', position: 'Investigator' },
    };
    await submit(late, `request ${short(late.requestId)} to BETAKZKA with a GOST R 34.10-2012 signature, deadline 2 h (1 demo hour = 1.5 s)`, gostInvestigator, 'investigator (GOST)');
    await decide(late.requestId, 'granted', 'Collector account of the trail');
    const od = await until('the overdue mark', async () => {
      const s = await police.api.status(late.requestId);
      return s.banks[0]?.state === 'overdue' ? s : undefined;
    });
    tl.note('gateway', `BETAKZKA did not answer by ${od.banks[0]?.deadline}: delivery ${od.banks[0]?.state} (still answerable), counted in /v1/stats`);

    // 4. The money trail.
    print('\n— the money trail (outgoing transfers in the bank-signed statements) —');
    const rows: string[][] = [['from (bank)', 'account', 'to', 'to bank', 'amount KZT', 'booked']];
    for (const s of statements.values()) {
      for (const a of s.accounts ?? []) {
        for (const m of a.movements ?? []) {
          if (!m.amount.startsWith('-')) continue;
          rows.push([`${maskId(s.subject?.iin)} (${s.bank.bic})`, a.iban, m.counterparty?.name ?? maskId(m.counterparty?.iin ?? m.counterparty?.bin), m.counterparty?.bic ?? '—', m.amount.slice(1), m.bookedAt.slice(0, 16)]);
        }
      }
    }
    print(table(rows));

    // 5. The auditor recomputes the whole log.
    print('\n— audit —');
    // Statistics are kept from integrated entries: wait until every event so far is integrated, so
    // the table is the same on every run.
    const beforeStats = Number(await gateway.redis.get(logKeys(config.namespace).size));
    await until('integration of every event before the statistics', async () => (await auditor.api.get<{ treeSize: number }>('/v1/log/checkpoint')).treeSize >= beforeStats);
    const stats = await auditor.api.get<{ requests: Record<string, number>; byBank: Record<string, { delivered: number; answered: number; overdueNow: number; responseTime: { p50Ms: number | null } }> }>('/v1/stats');
    print(table([['bank', 'delivered', 'answered', 'overdue now', 'answer p50 ms'], ...Object.entries(stats.byBank).map(([bic, b]) => [bic, String(b.delivered), String(b.answered), String(b.overdueNow), String(b.responseTime.p50Ms ?? '—')])]));
    const source = new RemoteLogSource(auditor.api);
    // Every event so far (the last ones are the auditor's own stats read and downloads) must be in a signed checkpoint.
    const sequenced = Number(await gateway.redis.get(logKeys(config.namespace).size));
    await until('a checkpoint covering every event', async () => (await auditor.api.get<{ treeSize: number }>('/v1/log/checkpoint')).treeSize >= sequenced);
    const gwTrust = gatewayTrust({ registry: registryFile });
    stops.push(async () => gwTrust.close());
    const report = await tl.step('auditor', 'art50 audit verify: recomputes every entry, the tree and every signed checkpoint', () => verifyLog({ source, trust: gwTrust }), (r) => (r.ok ? 'ok' : 'FAILED'));
    print(`\n${describeVerify(report)}`);
    print(`\nfiles: ${out}\n  statements/<requestId>/<statementId>.{p7s,json,movements.csv}, banks/<BIC>/ (what each bank received and signed)`);
    print('  verify any of them: openssl cms -verify -inform DER -in <file>.p7s -CAfile keys.example/ca/root.pem -binary');
    if (o.serve) {
      // The gateway, the banks (ALFAKZKA and BETAKZKA keep polling, GAMMKZKA takes pushes) and the log stay up for the console.
      const consoleUrl = `${gatewayUrl}/console`;
      print(`\nconsole: ${consoleUrl}   (Ctrl-C stops the gateway)`);
      print('  sign in with "Software key", password art50-demo:');
      print('    investigator: keys.example/police/investigator-1.p12 (AUTH, to sign in) and keys.example/police/investigator-1.sign.p12 (SIGN, for requests)');
      print('    prosecutor:   keys.example/prosecutor/prosecutor-1.p12 and keys.example/prosecutor/prosecutor-1.sign.p12');
      print('    statements encrypted to the body open in the page with its key: keys.example/police/encryption-A.p12 (never sent anywhere)');
      print('  or with NCALayer (wss://127.0.0.1:13579) holding your NCA keys.');
      print('  The demo CA is not one your browser trusts: accept the warning for 127.0.0.1, or import keys.example/ca/root.pem into a throw-away browser profile.');
      print('  Demo time: one deadline hour lasts 1.5 s here, so a 72-hour clock runs out in under 2 minutes.');
      o.onServing?.(consoleUrl);
      await (o.untilStop ?? untilSignal)();
    }
    return report.ok ? 0 : 1;
  } finally {
    for (const s of stops) await s().catch(() => undefined);
  }
}

function short(id: string): string {
  return id.slice(0, 8);
}
