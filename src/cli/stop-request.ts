/**
 * The first SIGTERM or SIGINT of a long-running command, listened for from the moment it starts.
 * Without a listener a signal ends a Node process at once, without its 'exit' handlers: one that
 * arrived while the gateway was starting (keys, Lua scripts, the durability check) would leave an
 * embedded redis-server running. With this listener the command finishes starting and then stops
 * everything it started, as for a signal after start.
 */
export interface StopRequest {
  /** The signal received, if any. */
  readonly signal: NodeJS.Signals | undefined;
  /** Resolves with the first signal. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Removes the listeners (the process then reacts to signals the default way again). */
  dispose(): void;
}

export function listenForStop(): StopRequest {
  let received: NodeJS.Signals | undefined;
  let resolveRequested: (s: NodeJS.Signals) => void = () => undefined;
  const requested = new Promise<NodeJS.Signals>((r) => (resolveRequested = r));
  // Ctrl-C reaches every process of the group and a cluster primary then sends SIGTERM as well:
  // only the first counts, but the listener stays so that the second is not fatal either.
  const on = (signal: NodeJS.Signals): void => {
    if (received) return;
    received = signal;
    resolveRequested(signal);
  };
  process.on('SIGTERM', on);
  process.on('SIGINT', on);
  return {
    get signal() {
      return received;
    },
    requested,
    dispose() {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
    },
  };
}

/** Resolves with the first SIGTERM or SIGINT from now on, then no longer listens. */
export async function untilSignal(): Promise<NodeJS.Signals> {
  const stop = listenForStop();
  try {
    return await stop.requested;
  } finally {
    stop.dispose();
  }
}
