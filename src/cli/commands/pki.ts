import type { Command } from 'commander';
import { resolve } from 'node:path';
import { writeDemoWorld } from '../../demo/pki/world';
import type { SetExit } from '../set-exit';

export function registerPkiCommands(program: Command, _setExit: SetExit): void {
  const pki = program.command('pki').description('demo public-key infrastructure');
  pki
    .command('init')
    .description('write a complete demo trust world (CA, CRL, gateway, police, prosecutors, banks, auditor, registry)')
    .requiredOption('--out <dir>', 'output directory')
    .option('--json', 'print {"out", "files"} (absolute directory, the files written relative to it) as JSON')
    .action(async (opts: { out: string; json?: boolean }) => {
      const out = resolve(opts.out);
      const { files } = await writeDemoWorld(out);
      if (opts.json) process.stdout.write(JSON.stringify({ out, files }, null, 2) + '\n');
      else process.stdout.write(`wrote ${files.length} files to ${opts.out} (demo keys: never use them for anything real)\n`);
    });
}
