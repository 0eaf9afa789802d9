import type { Command } from 'commander';
import { runDemo } from '../../demo/run';
import { exitOnSignal } from '../exit-on-signal';
import { orExplainMissingRedis } from '../redis-missing';
import type { SetExit } from '../set-exit';

/** One JSON Lines record of `art50 demo --json` (documented in docs/cli.md). */
function jsonLine(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

export function registerDemoCommands(program: Command, setExit: SetExit): void {
  program
    .command('demo')
    .description('play the whole Art. 50 flow: embedded Redis, the gateway, three reference banks, two hops, a refusal, an overdue bank, the audit')
    .option('--out <dir>', 'where to write statements and bank files (default var/demo/<time>)')
    .option('--serve', 'after the demo keep the gateway running and print the console URL and how to sign in with the keys.example software keys (Ctrl-C stops)')
    .option('--json', 'JSON Lines on stdout, one object per event: "start" (out), "step" (each timeline row), "serving" (with --serve), "done" (ok, exitCode); the narrative goes to stderr')
    .action(async (opts: { out?: string; serve?: boolean; json?: boolean }) => {
      const json = opts.json === true;
      // The stream's own write, bound now: runDemo routes what `police follow` writes to stdout
      // through `print` by replacing process.stdout.write, so `say` must not call that property.
      const stream = json ? process.stderr : process.stdout;
      const write = stream.write.bind(stream);
      const say = (l: string): void => void write(`${l}\n`);
      // The demo is a script of steps that cannot be stopped half way: a signal before it serves
      // ends the process, and the exit handlers stop the embedded redis-server.
      const interrupt = exitOnSignal(say);
      try {
        const code = await orExplainMissingRedis(setExit, () =>
          runDemo({
            ...(opts.out ? { outDir: opts.out } : {}), ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}), ...(opts.serve ? { serve: true } : {}),
            print: say,
            // --serve: from here Ctrl-C stops the gateway and Redis in order (runDemo's own wait).
            onServing: (consoleUrl) => {
              interrupt.dispose();
              if (json) jsonLine({ event: 'serving', console: consoleUrl });
            },
            ...(json ? { onStart: (out: string) => jsonLine({ event: 'start', out }), onStep: (row) => jsonLine({ event: 'step', ...row }) } : {}),
          }),
        );
        if (code !== undefined) setExit(code);
        if (json && code !== undefined) jsonLine({ event: 'done', ok: code === 0, exitCode: code });
      } finally {
        interrupt.dispose();
      }
    });
}
