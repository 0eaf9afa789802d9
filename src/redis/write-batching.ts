import type Redis from 'ioredis';
import type { Writable } from 'node:stream';

const batched = new WeakSet<Writable>();

/**
 * Sends the commands written during one turn of the event loop in one system call. ioredis writes
 * every command to its socket at once: one write(2) per command, which on the VMs measured costs
 * more than encoding the command (about 40 µs of the ~60 µs a command cost the gateway; see
 * docs/performance.md). Here the socket is corked at the first write of a turn and uncorked from
 * process.nextTick, which runs once the turn's promise continuations have settled: Node then hands
 * all of them to the kernel as one writev(2). No command waits past the turn it was written in, and
 * the order is unchanged. (ioredis's enableAutoPipelining batches too, but builds a Pipeline per
 * batch and measured no cheaper.)
 *
 * Applied to each socket ioredis connects (a reconnection makes a new one).
 */
export function batchWrites(redis: Redis): void {
  const apply = (): void => {
    const stream = redis.stream as Writable | undefined;
    if (!stream || batched.has(stream)) return;
    batched.add(stream);
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    let corked = false;
    const flush = (): void => {
      corked = false;
      stream.uncork();
    };
    stream.write = ((...args: unknown[]): boolean => {
      if (!corked) {
        corked = true;
        stream.cork();
        process.nextTick(flush);
      }
      return write(...args);
    }) as Writable['write'];
  };
  redis.on('connect', apply);
  apply();
}
