import type { Command } from 'commander';
import { join } from 'node:path';
import { loadConfig } from '../../config';
import { createGateway, Gateway } from '../../gateway';
import { createLogger } from '../../logger';
import { EmbeddedRedis, startEmbeddedRedis } from '../../redis/embedded';
import { RedisTarget, serverTarget } from '../../redis/target';
import { orExplainMissingRedis } from '../redis-missing';
import type { SetExit } from '../set-exit';

/**
 * The configured Redis (REDIS_URL or ART50_REDIS_SENTINELS), otherwise a redis-server child with its
 * data under ART50_DATA_DIR/redis. `url` is the REDIS_URL for processes started from this one: ''
 * with Sentinels, which they read from the same environment.
 */
export async function redisForCli(target: RedisTarget | undefined, dataDir: string, log: (m: string) => void): Promise<{ target: RedisTarget; url: string; embedded?: EmbeddedRedis }> {
  if (target) return { target, url: target.kind === 'server' ? target.url : '' };
  const embedded = await startEmbeddedRedis({ dataDir: join(dataDir, 'redis'), log });
  log(`REDIS_URL not set: started an embedded redis-server at ${embedded.url} (data in ${embedded.dataDir})`);
  return { target: serverTarget(embedded.url), url: embedded.url, embedded };
}

async function run(mode: 'serve' | 'worker', setExit: SetExit): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const redis = await orExplainMissingRedis(setExit, () => redisForCli(config.redis.target, config.dataDir, (m) => logger.info(m)));
  if (!redis) return;
  const gateway: Gateway = createGateway({ config, redis: redis.target, logger, ...(mode === 'worker' ? { workers: true } : {}) });
  try {
    if (mode === 'serve') await gateway.start();
    else await gateway.startBackground();
  } catch (e) {
    // e.g. a Redis that may lose acknowledged writes: say why, and leave nothing running.
    await gateway.stop().catch(() => undefined);
    await redis.embedded?.stop();
    throw e;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info('shutting down', { signal });
      void gateway
        .stop()
        .then(() => redis.embedded?.stop())
        .finally(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

export function registerServeCommands(program: Command, setExit: SetExit): void {
  program
    .command('serve')
    .description('run the gateway: HTTPS API with client certificates, plus in-process workers unless ART50_WORKERS_IN_PROCESS=false')
    .action(() => run('serve', setExit));
  program
    .command('worker')
    .description('run delivery and deadline workers only (scale them separately on the same Redis)')
    .action(() => run('worker', setExit));
}
