import { KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:https';
import type { Express } from 'express';
import type Redis from 'ioredis';
import type { Config } from './config';
import { createAjv, loadSchema } from './documents/ajv';
import { DocumentVerifier } from './documents/signed-document';
import { createDocumentValidators } from './documents/validators';
import { redactPointer, schemaMemberNames } from './documents/pointer';
import { DeliveryProcessor } from './delivery/processor';
import { OutboxDispatcher } from './delivery/dispatcher';
import { queueDepth } from './delivery/queue-depth';
import { Inbox } from './delivery/inbox';
import { PushClient } from './delivery/push-client';
import { createQueues, DeliveryQueues, queueNames } from './delivery/queues';
import { DeliveryStore } from './delivery/store';
import { DeadlineSweeper } from './delivery/deadlines';
import { DeliveryReconciler } from './delivery/reconciler';
import { RunningWorkers, startWorkers } from './delivery/workers';
import { createApp } from './http/app';
import { clientAuth } from './http/client-auth';
import { sessionAuth } from './http/session-auth';
import { authOpenRoutes, authSessionRoutes } from './http/routes/auth';
import { consoleRoutes } from './http/routes/console';
import { ChallengeStore } from './auth/challenges';
import { LoginFailures } from './auth/failures';
import { LoginService } from './auth/login';
import { SessionStore } from './auth/sessions';
import { inboxRoutes } from './http/routes/inbox';
import { livenessRoutes, readinessRoutes } from './http/routes/health';
import { requestRoutes } from './http/routes/requests';
import { statementRoutes } from './http/routes/statements';
import { closeServer, createHttpsServer, listen } from './http/server';
import { createLogEntryValidator } from './log/entry';
import { EventLog } from './log/event-log';
import { cmsCheckpointSigner } from './log/checkpoint';
import { LogIntegrator } from './log/integrator';
import { LogReader } from './log/reader';
import { logRoutes } from './http/routes/log';
import { statsRoutes } from './http/routes/stats';
import { metricsRoutes } from './http/routes/metrics';
import { openApiRoutes } from './http/routes/openapi';
import { instrumentStatementAnswers, instrumentVerifier, Metrics } from './metrics/metrics';
import { metricsMiddleware } from './http/metrics-middleware';
import { StatsService } from './stats/service';
import { CaseIndex } from './trail/case-index';
import { TrailService } from './trail/service';
import { caseRoutes } from './http/routes/cases';
import type { Logger } from './logger';
import { loadRegistry, Registry } from './participants/registry';
import type { ChainValidator } from './pki/chain';
import { loadTrust, readCertificates } from './pki/trust';
import { httpOcspFetcher } from './pki/ocsp/http-fetcher';
import { loadServerKey } from './pki/key-file';
import { deriveSubjectKey, loadSubjectSecret } from './log/subject-key';
import { Sealer } from './receipts/sealer';
import { createRedis, pingWithin, whenReady } from './redis/client';
import { noFence, replicaFence, warnMissingReplicas } from './redis/replica-fence';
import { describeTarget, type RedisTarget } from './redis/target';
import { checkRedisDurability } from './redis/durability';
import { storeDeadline } from './http/store-deadline';
import { RequestIntake } from './requests/intake';
import { SanctionService } from './requests/sanction';
import { RequestStatusReader } from './requests/status';
import { RequestStore } from './requests/store';
import { StatementReader, startStatementSweeper } from './statements/download';
import { DataKeyring } from './store/data-keys';
import { rekeyStoredDocuments } from './requests/rekey';
import { StatementIntake } from './statements/intake';
import { StatementStore } from './statements/store';
import { statementVerification } from './statements/validate';
import { createStatementOpener } from './statements/opener';
import { StatementWorkerPool } from './statements/worker-pool';
import { Keys } from './store/keys';
import { scriptRunner } from './store/script-set';

export interface GatewayOptions {
  config: Config;
  /** The Redis to use (config.redis.target, or the embedded redis-server's URL). */
  redis: RedisTarget;
  logger: Logger;
  clock?: () => Date;
  /** Run the delivery workers in this process (default from config). */
  workers?: boolean;
  /** Runs the log integrator and checkpointer in one process of several (src/cluster/); default: always here. */
  singleWriter?: (redis: Redis, task: BackgroundTask) => BackgroundTask;
  /** What GET /metrics renders (default: this process's registry; src/cluster/ renders every process's). */
  renderMetrics?: (metrics: Metrics) => () => Promise<string>;
}

/** A background loop that can be started and stopped (the integrator, under a lease or not). */
export interface BackgroundTask {
  start(): void;
  stop(): Promise<void>;
}

export interface Gateway {
  app: Express;
  server: Server;
  redis: Redis;
  keys: Keys;
  queues: DeliveryQueues;
  /** The deadline clock (runs with the workers). */
  deadlines: DeadlineSweeper;
  /** Domain services without HTTP, for the benchmark's ceiling measurement. */
  services: { intake: RequestIntake; sanctions: SanctionService; registry: Registry; dispatcher: OutboxDispatcher };
  /** Serves HTTPS (and runs workers when configured); resolves with the bound port. */
  start(): Promise<number>;
  /** Runs only the background parts (workers, outbox dispatcher, reconciler) for `art50 worker`. */
  startBackground(): Promise<void>;
  stop(): Promise<void>;
}

export function loadSealIdentity(config: Config): { cert: X509Certificate; key: KeyObject; chain: X509Certificate[] } {
  const { cert, key, chain } = loadServerKey(config.seal, config.keyPassword, 'the seal key');
  return { cert, key, chain };
}

/**
 * The one composition root: builds every part from configuration and wires them together.
 * Kept as one module (~330 lines) on purpose: it holds no logic of its own, only construction in
 * dependency order, and reading that order in one place is the point of having a single root.
 */
export function createGateway(opts: GatewayOptions): Gateway {
  const { config, logger } = opts;
  const clock = opts.clock ?? (() => new Date());
  if (config.usingDemoKeys) {
    logger.warn('DEMO KEYS IN USE: keys.example/ is public test material — set ART50_KEYS_DIR (or the individual key variables) for any real deployment');
  }
  const ajv = createAjv();
  const registry: Registry = loadRegistry(ajv, config.registry);
  const rev = config.revocation;
  const validator: ChainValidator = loadTrust({
    anchors: config.trustAnchors, crls: config.crls, revocationOrder: rev.order,
    ocsp: {
      fetcher: httpOcspFetcher({ timeoutMs: rev.ocspTimeoutMs }), ...(rev.ocspUrl ? { responderUrl: rev.ocspUrl } : {}),
      overrideCertificateUrl: rev.ocspUrlOverride, maxAgeMs: rev.ocspMaxAgeMs, requireNonce: rev.ocspRequireNonce,
      onError: (e, url) => logger.warn('OCSP responder failed', { url, error: e instanceof Error ? e.message : String(e) }),
    },
  });
  const seal = loadSealIdentity(config);
  const tlsKey = loadServerKey(config.tls, config.keyPassword, 'the TLS key');
  const sealer = new Sealer(seal);
  const redis = createRedis(opts.redis, 'commands');
  // Acknowledged writes wait for ART50_REDIS_MIN_REPLICAS replicas (WAIT blocks its connection, so the fence has its own).
  const fenceRedis = config.redis.minReplicas > 0 ? createRedis(opts.redis, 'commands', { commandTimeout: config.redis.waitTimeoutMs + 5000, maxRetriesPerRequest: 0 }) : undefined;
  const fence = fenceRedis ? replicaFence(fenceRedis, { minReplicas: config.redis.minReplicas, timeoutMs: config.redis.waitTimeoutMs, channel: `{${config.namespace}}:replica-fence`, writer: redis }) : noFence;
  const keys = new Keys(config.namespace);
  const subjectKey = deriveSubjectKey(loadSubjectSecret(config.subjectSecret));
  const log = new EventLog(redis, config.namespace, subjectKey, createLogEntryValidator(ajv), clock, fence);
  const verifier = new DocumentVerifier({ validator, registry, validators: createDocumentValidators(ajv), maxJsonBytes: config.smallDocumentLimitBytes, clock, clockSkewSeconds: config.clockSkewSeconds });

  // Stored requests and sanctions are sealed under the data key: a copy of Redis does not read them.
  const dataKeys = DataKeyring.load(config.dataKeys);
  const requests = new RequestStore(redis, keys, {
    intake: scriptRunner(redis, 'requests/lua/intake-6.lua', fence),
    sanction: scriptRunner(redis, 'requests/lua/sanction-8.lua', fence),
    rekey: scriptRunner(redis, 'requests/lua/rekey-1.lua'),
  }, dataKeys, fence);
  const deliveries = new DeliveryStore(redis, keys, {
    deliver: scriptRunner(redis, 'delivery/lua/deliver-8.lua', fence),
    ack: scriptRunner(redis, 'delivery/lua/ack-5.lua', fence),
    overdue: scriptRunner(redis, 'delivery/lua/overdue-5.lua', fence),
  }, fence);
  const names = queueNames(config.namespace);
  const connection = createRedis(opts.redis, 'bullmq');
  const bankBics = registry.banks().map((b) => b.bic!).sort();
  const queues = createQueues(connection, names, config.push, bankBics, (e) => logger.warn('queue connection error', { error: e.message }));
  const dispatcher = new OutboxDispatcher(deliveries, queues, logger);

  const trustPem = config.trustAnchors.map((f) => readFileSync(f));
  const push = new PushClient({ cert: tlsKey.certPem, key: tlsKey.keyPem, ca: trustPem }, config.push.timeoutMs);
  const processor = new DeliveryProcessor({ deliveries, requests, registry, log, sealer, push, clock, deadlineHourMs: config.deadlineHourMs, logger });
  const deadlines = new DeadlineSweeper({ deliveries, processor, clock, logger, legacy: queues.legacyDeadline });
  // A delivery still queued this long after its sanction is looked at: twice the stalled-job takeover time.
  const reconciler = new DeliveryReconciler({ deliveries, requests, queues, processor, logger, minAgeMs: Math.max(5000, 4 * config.workers.stalledIntervalMs) });

  const cases = new CaseIndex(redis, keys);
  const intake = new RequestIntake({ verifier, registry, store: requests, log, sealer, clock, clockSkewSeconds: config.clockSkewSeconds, maxAgeDays: config.requestMaxAgeDays });
  // A grant's deliveries go into the queues before the answer (within 500 ms; the outbox sweep
  // retries what did not make it).
  const sanctions = new SanctionService({ verifier, registry, store: requests, log, sealer, clock }, (id, bics, hint) =>
    within(500, dispatcher.dispatch(id, bics, hint).catch((e: Error) => logger.warn('enqueue after sanction failed; the outbox sweep will retry', { requestId: id, error: e.message }))));
  const status = new RequestStatusReader({
    store: requests,
    registry,
    deliveryReceipts: async (ids) =>
      (await deliveries.receipts(ids)).map((r, i) => (r.receipt && r.index !== null
        ? { event: 'delivery.delivered', logIndex: r.index, receipt: r.receipt.toString('base64'), bank: ids[i]!.slice(ids[i]!.lastIndexOf('.') + 1) }
        : null)),
  });
  const inbox = new Inbox({ deliveries, requests, log, sealer, clock, registry });
  const logReader = new LogReader({ redis, ns: config.namespace });
  const integrator = new LogIntegrator({
    redis, ns: config.namespace, signCheckpoint: cmsCheckpointSigner(seal), clock, fence,
    checkpointIntervalMs: config.checkpointIntervalMs,
    onError: (e) => logger.warn('log integration failed', { error: e instanceof Error ? e.message : String(e) }),
  });
  const integration = (opts.singleWriter ?? ((_r, t) => t))(redis, { start: () => integrator.start(Math.min(250, config.checkpointIntervalMs)), stop: () => integrator.stop() });
  const stats = new StatsService(logReader, clock, config.deadlineHourMs);
  // download-2.lua is not fenced itself: the statement.downloaded entry appended right after it
  // is (EventLog), and that one fence covers both writes before the content is handed out.
  const statements = new StatementStore(redis, keys, { answer: scriptRunner(redis, 'statements/lua/statement-9.lua', fence), download: scriptRunner(redis, 'statements/lua/download-2.lua') }, fence);
  const statementCheck = statementVerification({ validator, registry, ajv, maxJsonBytes: config.smallDocumentLimitBytes, clock, clockSkewSeconds: config.clockSkewSeconds });
  const statementPool = new StatementWorkerPool({ ...config.statementWorkers, clockSkewSeconds: config.clockSkewSeconds });
  const statementOpener = createStatementOpener({ ...statementCheck, validator, registry, pool: statementPool, thresholdBytes: config.statementWorkerThresholdBytes });
  const statementIntake = new StatementIntake({ opener: statementOpener, verifier: statementCheck.verifier, registry, requests, statements, log, sealer, clock, unreadRetentionMs: config.statementUnreadRetentionDays * 86_400_000 });
  const statementReader = new StatementReader({ statements, requests, log, sealer, clock, retentionDays: config.statementRetentionDays, onSweepError: (e) => logger.warn('statement retention sweep failed', { error: String(e) }) });
  const trails = new TrailService({ cases, requests, statements, reader: statementReader, registry, maxBytes: config.trailMaxBytes });

  const challenges = new ChallengeStore(redis, keys, config.console.challengeMs, clock);
  const sessions = new SessionStore(redis, keys, { maxMs: config.console.sessionMaxMs, idleMs: config.console.sessionIdleMs }, clock);
  const loginFailures = new LoginFailures(redis, keys, { perAddress: config.console.failuresPerAddress, perCertificate: config.console.failuresPerCertificate, windowMs: config.console.failureWindowMs });
  const login = new LoginService({ challenges, sessions, failures: loginFailures, validator, registry, clock, clockSkewSeconds: config.clockSkewSeconds });

  const metrics = new Metrics({
    queueCounts: () => queueDepth(queues, deliveries, clock().getTime()),
    overdueCounts: () => deliveries.overdueCounts(),
    logSizes: async () => ({ sequenced: await logReader.sequencedSize(), integrated: await logReader.integratedSize() }),
    redisUp: () => pingWithin(redis, 500),
  });
  instrumentVerifier(verifier, metrics);
  instrumentVerifier(statementCheck.verifier, metrics);
  instrumentStatementAnswers(statementIntake, async (id, bic) => (await requests.banks(id))[bic], metrics);

  const app = createApp({
    logger,
    logField: redactPointer(schemaMemberNames(['request', 'sanction', 'statement'].map(loadSchema))),
    // Every call answers within ~2 s while Redis is away (503 + Retry-After), whatever it was waiting on.
    before: [metricsMiddleware(metrics), storeDeadline({ afterMs: 1000, storeUp: () => pingWithin(redis, 800).then(() => true, () => false) })],
    open: [
      livenessRoutes(),
      openApiRoutes({ onMissing: (e) => logger.warn('docs/openapi.yaml not found: /v1/openapi.json answers 404', { error: e.message }) }),
      authOpenRoutes({ challenges, login, sessions, clock, banks: () => registry.banks().map((b) => ({ bic: b.bic!, name: b.name })) }),
      consoleRoutes({ onMissing: (dir) => logger.warn('the console is not built (npm run build): /console answers 404', { dir }) }),
    ],
    // A TLS client certificate, or else the console session signed in at /v1/auth/login: the same identity and guards.
    authenticate: clientAuth(validator, registry, { withoutCertificate: sessionAuth({ sessions, validator, registry }) }),
    authenticated: [
      authSessionRoutes({ banks: () => registry.banks().map((b) => ({ bic: b.bic!, name: b.name })) }),
      readinessRoutes({ redisReady: () => pingWithin(redis, 1000) }),
      requestRoutes({ intake, sanctions, status, store: requests, registry, documentLimit: config.smallDocumentLimitBytes }),
      inboxRoutes(inbox),
      statementRoutes({ intake: statementIntake, reader: statementReader, bodyLimit: config.bodyLimitBytes }),
      logRoutes({ reader: logReader, requests, registry }),
      statsRoutes(stats, registry),
      caseRoutes(trails),
      metricsRoutes(opts.renderMetrics ? { contentType: metrics.contentType, render: opts.renderMetrics(metrics) } : metrics),
    ],
  });
  const server = createHttpsServer(app, { cert: tlsKey.certPem, key: tlsKey.keyPem, ca: config.trustAnchors.flatMap((f) => readCertificates(f).map((c) => Buffer.from(c.toString()))) });

  let workers: RunningWorkers | undefined;
  let listening = false;
  const runWorkers = opts.workers ?? config.workers.inProcess;
  let stopSweeper: (() => void) | undefined;
  const background = (): void => {
    integration.start();
    // Statement payloads past retention are deleted by the background processes, once a minute.
    stopSweeper = startStatementSweeper(statementReader, 60_000, (e) => logger.warn('statement retention sweep failed', { error: String(e) }));
    workers = startWorkers({ connection, names, banks: bankBics, processor, concurrency: config.workers.concurrency, logger, stalledIntervalMs: config.workers.stalledIntervalMs });
    reconciler.start(Math.max(1000, config.workers.stalledIntervalMs));
    deadlines.start(Math.min(1000, Math.max(50, config.deadlineHourMs / 4)));
    // Data-key rotation: re-seal what an older key (or none) sealed, in the background.
    rekeyStoredDocuments(requests).then(
      (n) => logger.info(n > 0 ? 'stored requests re-sealed under the current data key' : 'nothing left to re-seal: every stored request is sealed under the current data key', { keyId: dataKeys.currentId, values: n }),
      (e: unknown) => logger.warn('data-key rotation pass failed; it runs again at the next start', { error: String(e) }),
    );
  };
  /** Waits (bounded) for Redis, then refuses or warns about a Redis that may lose acknowledged writes. */
  const checkStore = async (): Promise<void> => {
    if (await whenReady(redis, 5000)) {
      // The fence's connection too, or the first acknowledgements would answer 503.
      if (fenceRedis) await whenReady(fenceRedis, 5000);
      logger.info('connected to Redis', { redis: describeTarget(opts.redis) });
      await checkRedisDurability(redis, config.redisDurability, logger);
      await warnMissingReplicas(redis, config.redis.minReplicas, (m) => logger.warn(m)).catch(() => undefined);
      return;
    }
    logger.warn('Redis is not reachable at start-up: calls answer 503 until it is', { redis: describeTarget(opts.redis) });
    redis.once('ready', () => {
      checkRedisDurability(redis, 'warn', logger).catch(() => undefined);
    });
  };

  return {
    app,
    server,
    redis,
    keys,
    queues,
    deadlines,
    services: { intake, sanctions, registry, dispatcher },
    async start() {
      await checkStore();
      const port = await listen(server, config.port, config.host);
      listening = true;
      dispatcher.start();
      if (runWorkers) background();
      else integration.start();
      // The statistics are folded from the whole log once, now, in the background; later calls read only new entries.
      stats.warm().catch((e: unknown) => logger.warn('folding the log into the statistics failed; the first /v1/stats call retries', { error: String(e) }));
      logger.info('art50 gateway listening', { port, host: config.host, namespace: config.namespace, workers: runWorkers });
      return port;
    },
    async startBackground() {
      await checkStore();
      dispatcher.start();
      background();
      logger.info('art50 workers running', { namespace: config.namespace, concurrency: config.workers.concurrency });
    },
    async stop() {
      // Each step is bounded: with Redis unreachable, a graceful close would otherwise wait forever.
      if (listening) await closeServer(server);
      // With Redis away no background step can finish its work anyway (active jobs stall and are
      // taken over later): give each step half a second instead of its graceful time, so SIGTERM
      // ends the process within seconds rather than after every timeout in turn.
      const storeUp = await pingWithin(redis, 500).then(() => true, () => false);
      const patience = (ms: number): number => (storeUp ? ms : Math.min(ms, 500));
      await within(patience(5000), dispatcher.stop());
      await within(patience(5000), reconciler.stop());
      await within(patience(5000), deadlines.stop());
      await within(patience(5000), integration.stop());
      stopSweeper?.();
      // BullMQ ignores `force` once a graceful close has begun, so without Redis close by force at once.
      if (workers && !(storeUp && (await within(15_000, workers.close())))) await within(patience(2000), workers.close(true));
      await within(patience(3000), queues.close());
      validator.close();
      await statementPool.close();
      for (const c of [redis, connection, ...(fenceRedis ? [fenceRedis] : [])]) {
        if (storeUp) await within(2000, c.quit());
        c.disconnect(); // no reconnection attempts (and their timers) after shutdown
      }
    },
  };
}

/** Waits for `p` at most `ms`; true when it settled in time (a rejection counts as settled). */
async function within(ms: number, p: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = p.then(() => true, () => true);
  const late = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), ms);
    timer.unref();
  });
  const ok = await Promise.race([settled, late]);
  clearTimeout(timer);
  return ok;
}
