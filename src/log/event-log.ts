import { createHmac } from 'node:crypto';
import type Redis from 'ioredis';
import { socketMark, type ReplicaFence, type SocketMark } from '../redis/replica-fence';
import type { SubjectIdentifier } from '../documents/subject';
import type { LogEntryFields, LogEntryValidator } from './entry';
import { appendStandalone, entryTemplate } from './sequencer';

/**
 * What the domain services need from the log: entry templates for their own Lua scripts, a
 * standalone append for events that change no state, and the keyed hash of a subject's identifier.
 */
export class EventLog {
  constructor(
    private readonly redis: Redis,
    private readonly ns: string,
    private readonly subjectSecret: Buffer,
    private readonly validate?: LogEntryValidator,
    private readonly clock: () => Date = () => new Date(),
    /**
     * The replica fence (src/redis/replica-fence.ts). A standalone entry is written just before
     * its caller answers (a statement handed out, a document refused), so it waits for the
     * replicas like every other acknowledged write: a failover must not take back the record of
     * a statement already downloaded.
     */
    private readonly fence: ReplicaFence = () => Promise.resolve(),
  ) {}

  template(fields: LogEntryFields): string {
    return entryTemplate(fields, this.validate);
  }

  /**
   * Resolves once the entry (and every write before it, on any connection) is on the replicas.
   * `since` (from `mark()` before the caller's own writes) also has those refused if the store's
   * connection changed server in between.
   */
  async appendStandalone(fields: Omit<LogEntryFields, 'time'> & { time?: string }, since?: SocketMark): Promise<number> {
    const index = await appendStandalone(this.redis, this.ns, { time: this.clock().toISOString(), ...fields }, this.validate);
    await this.fence(since);
    return index;
  }

  /** The store connection's current socket, for `appendStandalone(…, since)`. */
  mark(): SocketMark | undefined {
    return socketMark(this.redis);
  }

  /**
   * HMAC-SHA256 of the subject's identifier: groups requests per subject in statistics without the
   * IIN, IBAN or card number. An IIN is hashed as itself (keys stay those of earlier entries); an
   * IBAN or card with its kind in front ("iban:KZ…", "card:…"), so kinds never share a key.
   */
  subjectKey(id: SubjectIdentifier): string {
    const text = id.kind === 'iin' ? id.value : `${id.kind}:${id.value}`;
    return createHmac('sha256', this.subjectSecret).update(text, 'utf8').digest('hex');
  }
}
