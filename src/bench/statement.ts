import { demoIdentity, demoSigner } from '../demo/pki/identity';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { signCms } from '../cms/sign';
import { createCoreBanking } from '../demo/core-banking/core';
import { createAjv } from '../documents/ajv';
import { DocumentVerifier } from '../documents/signed-document';
import type { RequestDoc, StatementDoc } from '../documents/types';
import { createDocumentValidators } from '../documents/validators';
import type { ClientIdentity } from '../participants/types';
import { createLogEntryValidator } from '../log/entry';
import { EventLog } from '../log/event-log';
import { loadRegistry, Registry } from '../participants/registry';
import { DataKeyring } from '../store/data-keys';
import { DEMO_BANKS, DEMO_BIN } from '../demo/pki/participants';
import { loadTrust } from '../pki/trust';
import { Sealer } from '../receipts/sealer';
import { createRedis, whenReady } from '../redis/client';
import { serverTarget } from '../redis/target';
import { RequestIntake } from '../requests/intake';
import { RequestStore } from '../requests/store';
import type { BankDelivery } from '../requests/types';
import { StatementIntake } from '../statements/intake';
import { StatementStore } from '../statements/store';
import { statementVerification } from '../statements/validate';
import { createStatementOpener } from '../statements/opener';
import { StatementWorkerPool } from '../statements/worker-pool';
import { Keys } from '../store/keys';
import { scriptRunner } from '../store/script-set';

const KEYS_DIR = resolve(__dirname, '..', '..', 'keys.example');


/**
 * Longest gap between two turns of a 1 ms interval timer: how long the event loop was blocked at a
 * time (monitorEventLoopDelay drops its first sample, which hides a block right at the start).
 */
function loopProbe(): { stop(): number } {
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 1);
    last = now;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, performance.now() - last - 1);
    },
  };
}

export interface StatementBenchResult {
  /** Wall time of StatementIntake.submit (verify, checks, Redis script, receipt). */
  acceptMs: number;
  /** Process CPU (user + system) during submit; Redis server CPU not included. */
  cpuMs: number;
  /** Peak resident set size of this process over the whole run (includes generating and signing the statement). */
  peakRssMb: number;
  /** Longest time the event loop was blocked during submit (gap between turns of a 1 ms timer). */
  maxEventLoopBlockMs: number;
  cmsMb: number;
  movements: number;
}

/**
 * The statement intake pipeline on one generated, bank-signed statement with `movements`
 * movements in one account, against a real Redis (`redisUrl`), in a fresh namespace. HTTP is left
 * out: this measures what the gateway does with the bytes once the body is read.
 */
export async function benchStatement(opts: { redisUrl: string; movements?: number }): Promise<StatementBenchResult> {
  const movements = opts.movements ?? 100_000;
  const ns = `bench${randomBytes(4).toString('hex')}`;
  const keys = new Keys(ns);
  const ajv = createAjv();
  // The plain form (a body not enrolled for encryption): the gateway itself verifies and parses the
  // statement, the costly path measured here. An encrypted statement costs the gateway one header.
  const enrolled = loadRegistry(ajv, resolve(KEYS_DIR, 'participants.json')).file;
  const registry = new Registry({ ...enrolled, organisations: enrolled.organisations.map(({ encryptionCertificate: _e, ...o }) => o) });
  const trust = loadTrust({ anchors: [resolve(KEYS_DIR, 'ca/root.pem')], crls: [resolve(KEYS_DIR, 'ca/crl.pem')], crlOptions: { pollMs: 0 } });
  const redis = createRedis(serverTarget(opts.redisUrl), 'commands');
  await whenReady(redis, 10_000);
  const closers: Array<() => Promise<unknown>> = [];
  try {
    const verifier = new DocumentVerifier({ validator: trust, registry, validators: createDocumentValidators(ajv), maxJsonBytes: 1024 * 1024 });
    const log = new EventLog(redis, ns, randomBytes(32), createLogEntryValidator(ajv));
    const sealer = new Sealer(demoIdentity('gateway/seal'));
    const clock = (): Date => new Date();
    const requests = new RequestStore(redis, keys, { intake: scriptRunner(redis, 'requests/lua/intake-6.lua'), sanction: scriptRunner(redis, 'requests/lua/sanction-8.lua') }, new DataKeyring([{ id: 'bench', key: randomBytes(32) }]));
    const statements = new StatementStore(redis, keys, { answer: scriptRunner(redis, 'statements/lua/statement-9.lua'), download: scriptRunner(redis, 'statements/lua/download-2.lua') });
    const client = (path: string): ClientIdentity => {
      const certificate = trust.validate(demoIdentity(path).cert, { purpose: 'tls-client' });
      const participant = registry.identify({ iin: certificate.subject.iin, bin: certificate.subject.bin });
      if (!participant) throw new Error(`${path} is not in the registry`);
      return { certificate, participant };
    };

    // A stored request, delivered to ALFAKZKA (the sanction and delivery steps are not what is measured).
    const request: RequestDoc = {
      ...(JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'schemas', 'examples', 'request.json'), 'utf8')) as RequestDoc),
      requestId: randomUUID(),
      createdAt: new Date(Date.now() - 60_000).toISOString(),
      banks: ['ALFAKZKA'],
    };
    const reqIntake = new RequestIntake({ verifier, registry, store: requests, log, sealer, clock, clockSkewSeconds: 300 });
    const accepted = await reqIntake.submit(signCms(Buffer.from(JSON.stringify(request)), demoSigner('police/investigator-1')), client('police/investigator-1'));
    const delivery: BankDelivery = { state: 'delivered', deliveryId: `${request.requestId}.ALFAKZKA`, deliveredAt: new Date().toISOString() };
    await redis.hset(keys.request(request.requestId), 'state', 'in_progress');
    await redis.hset(keys.requestBanks(request.requestId), 'ALFAKZKA', JSON.stringify(delivery));

    const alfa = DEMO_BANKS.find((b) => b.bic === 'ALFAKZKA')!;
    const core = createCoreBanking({
      seed: 50, coverage: 1, movementsPerAccount: movements,
      bank: { bic: alfa.bic, bin: DEMO_BIN.bankA, ibanCode: alfa.ibanCode },
      peers: DEMO_BANKS.filter((b) => b !== alfa).map((b) => ({ bic: b.bic, ibanCode: b.ibanCode })),
    });
    const account = core.lookup(request.subject.iin!, request.scope).accounts.find((a) => a.movements?.length === movements);
    if (!account) throw new Error('the demo core banking gave no open account');
    const statement: StatementDoc = {
      type: 'statement', version: 1, statementId: randomUUID(), requestId: request.requestId, requestDigest: accepted.body.digest,
      bank: { bic: 'ALFAKZKA', bin: DEMO_BIN.bankA }, subject: { iin: request.subject.iin! },
      generatedAt: new Date().toISOString(), result: 'found', accounts: [account],
    };
    const der = signCms(Buffer.from(JSON.stringify(statement)), demoIdentity('banks/ALFAKZKA'));
    // The gateway's path: a statement this large is verified and parsed in the worker thread.
    const pool = new StatementWorkerPool({ size: 1 });
    closers.push(() => pool.close());
    const opener = createStatementOpener({ ...statementVerification({ validator: trust, registry, ajv, maxJsonBytes: 1024 * 1024 }), validator: trust, registry, pool, thresholdBytes: 2 * 1024 ** 2 });
    const intake = new StatementIntake({ opener, verifier: statementVerification({ validator: trust, registry, ajv, maxJsonBytes: 1024 * 1024 }).verifier, registry, requests, statements, log, sealer, clock });
    const bank = client('banks/ALFAKZKA');

    const loop = loopProbe();
    await new Promise((r) => setTimeout(r, 10));
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const out = await intake.submit(der, bank);
    const acceptMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    await new Promise((r) => setTimeout(r, 5));
    const maxBlock = loop.stop();
    if (out.outcome !== 'stored') throw new Error(`statement not accepted: ${out.outcome}`);
    await redis.del(keys.statement(statement.statementId), keys.request(request.requestId));
    return {
      acceptMs: Math.round(acceptMs),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      maxEventLoopBlockMs: Math.round(maxBlock),
      cmsMb: Math.round((der.length / 1048576) * 10) / 10,
      movements,
    };
  } finally {
    for (const c of closers) await c();
    trust.close();
    await redis.quit();
  }
}

if (require.main === module) {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    console.error('set REDIS_URL');
    process.exit(2);
  }
  benchStatement({ redisUrl, movements: Number(process.argv[2] ?? 100_000) })
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
