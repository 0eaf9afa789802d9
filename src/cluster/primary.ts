/**
 * The primary of `art50 serve` with ART50_PROCESSES > 1: it serves nothing itself. It forks the
 * gateway processes (node:cluster; they share the listening port, the primary hands each new
 * connection to one of them in turn), replaces one that dies, gathers their metrics for
 * /metrics, and on SIGTERM or SIGINT has every one of them drain and exit before it exits.
 * Redis (embedded or REDIS_URL) is chosen once, by the caller, and passed to every process.
 */
import cluster, { Worker } from 'node:cluster';
import type { Logger } from '../logger';
import { serveClusterMetrics } from './cluster-metrics';

export interface PrimaryOptions {
  processes: number;
  /** The Redis every process uses (REDIS_URL in their environment). */
  redisUrl: string;
  logger: Logger;
  /** How long the processes may take to drain after SIGTERM before they are killed. */
  drainMs?: number;
  /** More restarts than this within restartWindowMs: give up and shut down (a crash loop). */
  maxRestarts?: number;
  restartWindowMs?: number;
}

/** Runs until every process has exited; resolves with the exit code of `art50 serve`. */
export function runPrimary(opts: PrimaryOptions): Promise<number> {
  const { logger } = opts;
  const drainMs = opts.drainMs ?? 40_000;
  const maxRestarts = opts.maxRestarts ?? 5;
  const windowMs = opts.restartWindowMs ?? 60_000;
  serveClusterMetrics();

  const listening = new Set<number>();
  const restarts: number[] = [];
  let stopping = false;
  let exitCode = 0;
  let announced = false;

  return new Promise<number>((done) => {
    // '' when Redis is reached through Sentinels: the processes read those from the same environment.
    const fork = (): Worker => cluster.fork(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {});
    const alive = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());

    const stop = (reason: string, code: number): void => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      logger.info('shutting down every gateway process', { reason, processes: alive().length });
      for (const w of alive()) w.process.kill('SIGTERM');
      const killer = setTimeout(() => {
        for (const w of alive()) {
          logger.warn('a gateway process did not drain in time: killed', { pid: w.process.pid });
          w.process.kill('SIGKILL');
        }
      }, drainMs);
      killer.unref();
      if (alive().length === 0) done(exitCode);
    };

    cluster.on('listening', (worker, address) => {
      listening.add(worker.id);
      if (!announced && listening.size === opts.processes) {
        announced = true;
        logger.info('art50 serve: every process listening', { processes: opts.processes, port: address.port, pids: alive().map((w) => w.process.pid) });
      }
    });

    cluster.on('exit', (worker, code, signal) => {
      const served = listening.delete(worker.id);
      if (stopping) {
        if (alive().length === 0) done(exitCode);
        return;
      }
      if (!served) {
        // It failed while starting (configuration, keys, a Redis that may lose writes): the others
        // would fail the same way. The process has said why on stderr.
        logger.error('a gateway process failed to start: shutting down', { pid: worker.process.pid, code, signal });
        stop('start-up failure', code || 1);
        return;
      }
      const now = Date.now();
      while (restarts.length > 0 && restarts[0]! < now - windowMs) restarts.shift();
      if (restarts.length >= maxRestarts) {
        logger.error('gateway processes keep dying: shutting down', { restarts: restarts.length, windowMs });
        stop('crash loop', 1);
        return;
      }
      restarts.push(now);
      logger.error('a gateway process died: starting another', { pid: worker.process.pid, code, signal });
      fork();
    });

    process.once('SIGTERM', () => stop('SIGTERM', 0));
    process.once('SIGINT', () => stop('SIGINT', 0));
    for (let i = 0; i < opts.processes; i++) fork();
  });
}
