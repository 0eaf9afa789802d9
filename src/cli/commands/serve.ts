import type { Command } from 'commander';
import cluster from 'node:cluster';
import { join } from 'node:path';
import { clusterProcessOptions, integratorLeaseOption } from '../../cluster/process-options';
import { runPrimary } from '../../cluster/primary';
import { Config, loadConfig } from '../../config';
import { createGateway, Gateway } from '../../gateway';
import { createLogger, Logger } from '../../logger';
import { EmbeddedRedis, startEmbeddedRedis } from '../../redis/embedded';
import { RedisTarget, serverTarget } from '../../redis/target';
import { orExplainMissingRedis } from '../redis-missing';
import type { SetExit } from '../set-exit';
import { listenForStop, StopRequest } from '../stop-request';

/**
 * The configured Redis (REDIS_URL or ART50_REDIS_SENTINELS), otherwise a redis-server child with its
 * data under ART50_DATA_DIR/redis. `url` is the REDIS_URL for processes started from this one: ''
 * with Sentinels, which they read from the same environment.
 */
export async function redisForCli(target: RedisTarget | undefined, dataDir: string, log: (m: string) => void): Promise<{ target: RedisTarget; url: string; embedded?: EmbeddedRedis }> {
  if (target) return { target, url: target.kind === 'server' ? target.url : '' };
  // Its socket only (mode 0700): no TCP port that any local user could reach.
  const embedded = await startEmbeddedRedis({ dataDir: join(dataDir, 'redis'), log, socketOnly: true });
  const url = embedded.url;
  log(`REDIS_URL not set: started an embedded redis-server at ${url} (pid ${embedded.pid}, data in ${embedded.dataDir})`);
  return { target: serverTarget(url), url, embedded };
}

async function run(mode: 'serve' | 'worker', setExit: SetExit): Promise<void> {
  const config = loadConfig();
  const base = createLogger({ level: config.logLevel });
  if (mode === 'serve' && cluster.isPrimary && config.processes > 1) return runProcesses(config, base, setExit);
  // A process of a multi-process serve: its lines carry its pid; Redis was chosen by the primary.
  const inCluster = cluster.isWorker;
  const logger = inCluster ? base.child({ pid: process.pid }) : base;
  try {
    await runGateway(mode, config, logger, inCluster, setExit);
  } finally {
    // The IPC channel to the primary would keep this process alive, also after a failed start
    // (the primary must see the exit to stop the others and report the failure).
    if (inCluster && process.connected) process.disconnect();
  }
}

async function runGateway(mode: 'serve' | 'worker', config: Config, logger: Logger, inCluster: boolean, setExit: SetExit): Promise<void> {
  // Listening before Redis and the gateway start: a signal in between must stop what was started.
  const stop = listenForStop();
  try {
    await startThenServe(mode, config, logger, inCluster, setExit, stop);
  } finally {
    stop.dispose();
  }
}

async function startThenServe(mode: 'serve' | 'worker', config: Config, logger: Logger, inCluster: boolean, setExit: SetExit, stop: StopRequest): Promise<void> {
  let redis: Awaited<ReturnType<typeof redisForCli>> | undefined;
  try {
    redis = await orExplainMissingRedis(setExit, () => redisForCli(config.redis.target, config.dataDir, (m) => logger.info(m)));
  } catch (e) {
    // The embedded redis-server is stopped by a signal during its own start: that is the stop asked for.
    if (!stop.signal) throw e;
    logger.info('stopped during start', { signal: stop.signal });
    return;
  }
  if (!redis) return;
  if (stop.signal) {
    await redis.embedded?.stop();
    logger.info('stopped during start', { signal: stop.signal });
    return;
  }
  // Every serve and worker process, single or one of many, on one machine or several, integrates
  // only under the namespace's lease: otherwise each would sign its own checkpoints.
  const lease = {
    namespace: config.namespace,
    onLeader: (leader: boolean) => logger.info(leader ? 'this process now integrates the log and signs checkpoints' : 'this process no longer integrates the log'),
    onError: (e: unknown) => logger.warn('integrator lease: Redis call failed', { error: e instanceof Error ? e.message : String(e) }),
  };
  const gateway: Gateway = createGateway({
    config, redis: redis.target, logger,
    ...(mode === 'worker' ? { workers: true } : {}),
    ...(inCluster ? clusterProcessOptions(lease) : integratorLeaseOption(lease)),
  });
  // A signal during start waits for the (bounded) start to finish: stopping half-started parts
  // could leave a server listening or a worker running after the stop.
  let startedUp = false;
  void stop.requested.then((signal) => logger.info('shutting down', { signal, ...(startedUp ? {} : { duringStart: true }) }));
  try {
    if (mode === 'serve') await gateway.start();
    else await gateway.startBackground();
  } catch (e) {
    // e.g. a Redis that may lose acknowledged writes: say why, and leave nothing running.
    await gateway.stop().catch(() => undefined);
    await redis.embedded?.stop();
    throw e;
  }
  startedUp = true;
  await stop.requested;
  await gateway.stop().catch((e: unknown) => logger.warn('gateway stop failed', { error: String(e) }));
  await redis.embedded?.stop();
}

/** `art50 serve` with ART50_PROCESSES > 1: one Redis for all, then the processes (src/cluster/primary.ts). */
async function runProcesses(config: Config, logger: Logger, setExit: SetExit): Promise<void> {
  // Until the primary listens for signals itself, a signal must stop the embedded Redis (see runGateway).
  const stop = listenForStop();
  let redis: Awaited<ReturnType<typeof redisForCli>> | undefined;
  try {
    redis = await orExplainMissingRedis(setExit, () => redisForCli(config.redis.target, config.dataDir, (m) => logger.info(m)));
  } catch (e) {
    stop.dispose();
    if (!stop.signal) throw e;
    logger.info('stopped during start', { signal: stop.signal });
    return;
  }
  if (!redis || stop.signal) {
    stop.dispose();
    await redis?.embedded?.stop();
    if (stop.signal) logger.info('stopped during start', { signal: stop.signal });
    return;
  }
  logger.info('starting gateway processes', { processes: config.processes, pid: process.pid });
  // runPrimary installs its signal handlers synchronously: no moment without a listener.
  const primary = runPrimary({ processes: config.processes, redisUrl: redis.url, logger });
  stop.dispose();
  const code = await primary;
  await redis.embedded?.stop();
  if (code !== 0) setExit(code);
}

export function registerServeCommands(program: Command, setExit: SetExit): void {
  program
    .command('serve')
    .description('run the gateway: HTTPS API with client certificates, plus in-process workers unless ART50_WORKERS_IN_PROCESS=false; ART50_PROCESSES processes (default: one per core)')
    .action(() => run('serve', setExit));
  program
    .command('worker')
    .description('run delivery and deadline workers only (scale them separately on the same Redis)')
    .action(() => run('worker', setExit));
}
