import type { Command } from 'commander';
import { runDemo } from '../../demo/run';
import { orExplainMissingRedis } from '../redis-missing';
import type { SetExit } from '../set-exit';

export function registerDemoCommands(program: Command, setExit: SetExit): void {
  program
    .command('demo')
    .description('play the whole Art. 50 flow: embedded Redis, the gateway, three reference banks, two hops, a refusal, an overdue bank, the audit')
    .option('--out <dir>', 'where to write statements and bank files (default var/demo/<time>)')
    .option('--serve', 'after the demo keep the gateway running and print the console URL and how to sign in with the keys.example software keys (Ctrl-C stops)')
    .action(async (opts: { out?: string; serve?: boolean }) => {
      const code = await orExplainMissingRedis(setExit, () =>
        runDemo({ ...(opts.out ? { outDir: opts.out } : {}), ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}), ...(opts.serve ? { serve: true } : {}) }),
      );
      if (code !== undefined) setExit(code);
    });
}
