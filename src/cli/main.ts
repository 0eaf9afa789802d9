import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../config';
import { UsageError } from '../client/cli';
import { EXIT } from './exit-codes';
import { installProfile } from './profile';
import { registerPkiCommands } from './commands/pki';
import { registerServeCommands } from './commands/serve';
import { registerDemoCommands } from './commands/demo';
import { registerCmsCommands } from './commands/cms';
import { registerPoliceCommands } from './commands/police';
import { registerProsecutorCommands } from './commands/prosecutor';
import { registerBankCommands } from './commands/bank';
import { registerAuditCommands } from './commands/audit';

/**
 * The `art50` command. Each group of subcommands lives in cli/commands/<group>.ts and registers
 * itself here; commander was chosen for its typed options, generated help and subcommand nesting.
 * Returns the process exit code instead of calling process.exit, so tests can call it in-process.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('art50')
    .description('art50 — electronic gateway for Art. 50 bank requests (police, prosecutors, banks, auditors)')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError();
  installProfile(program);
  let exitCode = 0;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  registerPkiCommands(program, setExit);
  registerServeCommands(program, setExit);
  registerDemoCommands(program, setExit);
  registerCmsCommands(program, setExit);
  registerPoliceCommands(program, setExit);
  registerProsecutorCommands(program, setExit);
  registerBankCommands(program, setExit);
  registerAuditCommands(program, setExit);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    // Help and --version end with code 0; every other parse error is a usage error.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof UsageError) {
      process.stderr.write(`art50: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  return exitCode;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export type { SetExit } from './set-exit';
