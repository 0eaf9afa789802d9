import { reportError } from '../client/cli';
import type { SetExit } from './set-exit';

interface Closable {
  close(): void;
}

/** Hands a command's body what it opened, so that it is closed afterwards. */
export type Opened = <T extends Closable>(thing: T) => T;

/**
 * The frame of every client command (police, prosecutor): whatever the body opened — the API
 * connection, the trust with its CRL watchers — is closed afterwards whatever happens, since an
 * open socket or file watcher would keep the process from exiting; a failure becomes the command's
 * message and exit code (src/cli/exit-codes.ts) instead of an unhandled rejection.
 */
export async function clientAction(what: string, setExit: SetExit, body: (opened: Opened) => Promise<void>): Promise<void> {
  const open: Closable[] = [];
  try {
    await body((thing) => {
      open.push(thing);
      return thing;
    });
  } catch (e) {
    setExit(reportError(what, e));
  } finally {
    for (const thing of open) thing.close();
  }
}
