import { constants } from 'node:os';

/**
 * For a command that runs a script of steps which cannot be stopped half way (`art50 demo`): the
 * first SIGTERM or SIGINT ends the process with 128 + the signal's number, as a shell reports it,
 * through process.exit — so its 'exit' handlers run and the embedded redis-server is stopped
 * (src/redis/embedded.ts). Without a listener Node would die of the signal and skip them.
 */
export function exitOnSignal(say: (line: string) => void): { dispose(): void } {
  const on = (signal: NodeJS.Signals): void => {
    say(`interrupted by ${signal}: stopping`);
    process.exit(128 + (constants.signals[signal] ?? 0));
  };
  process.on('SIGTERM', on);
  process.on('SIGINT', on);
  return {
    dispose() {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
    },
  };
}
