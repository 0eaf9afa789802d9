import { Command, CommanderError } from 'commander';
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
    .exitOverride()
    .showHelpAfterError();
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
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
  return exitCode;
}

export type { SetExit } from './set-exit';
