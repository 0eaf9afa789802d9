/**
 * A single-writer lease in Redis, for the parts that must run in one process at a time when
 * `art50 serve` runs several (the log integrator and checkpointer). The lease is a key whose value
 * is the holder's token and whose TTL is the lease time: the holder renews it well before it
 * lapses; a holder that dies without releasing it (SIGKILL, lost host) simply stops renewing, the
 * key expires, and another process takes it at its next try. A holder that cannot renew in time
 * (Redis away, a stalled event loop) stops its work before the lease can have lapsed.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { scriptRunner } from '../store/script-set';
import { holdReply, releaseReply } from './lua/replies';

export interface LeaseOptions {
  /** The lease key (carry the namespace's hash tag). */
  key: string;
  /** How long a lease lasts without renewal; a dead holder's lease is free after at most this. */
  ttlMs: number;
  /** This holder's token; default a fresh UUID. */
  token?: string;
}

export class RedisLease {
  readonly token: string;
  constructor(private readonly redis: Redis, readonly opts: LeaseOptions) {
    this.token = opts.token ?? randomUUID();
  }

  /** Takes the lease or renews ours; true when we hold it for ttlMs from the call. */
  async hold(): Promise<boolean> {
    return holdReply(await scriptRunner(this.redis, 'cluster/lua/lease-hold-1.lua')([this.opts.key], [this.token, String(this.opts.ttlMs)]));
  }

  /** Gives the lease back if we still hold it, so another process need not wait for the TTL. */
  async release(): Promise<boolean> {
    return releaseReply(await scriptRunner(this.redis, 'cluster/lua/lease-release-1.lua')([this.opts.key], [this.token]));
  }
}

/** What runs only while the lease is held. */
export interface LeaderTask {
  start(): void;
  stop(): Promise<void>;
}

export interface LeaderRunOptions {
  /** How often to take or renew the lease; a third of the TTL leaves two tries before it lapses. */
  renewMs?: number;
  onChange?: (leader: boolean) => void;
  onError?: (e: unknown) => void;
}

/**
 * Runs `task` while this process holds `lease`: tries to take it every renewMs, starts the task
 * when it does, and stops the task when a renewal fails or could not be confirmed before the
 * lease may have lapsed. stop() stops the task first, then releases the lease.
 */
export class LeaderRunner {
  private timer: NodeJS.Timeout | undefined;
  private leader = false;
  private stopped = true;
  private inFlight: Promise<void> | undefined;
  /** Until when (local clock) the lease is certainly ours: the send time of the last good renewal + TTL. */
  private heldUntil = 0;
  private readonly renewMs: number;

  constructor(private readonly lease: RedisLease, private readonly task: LeaderTask, private readonly opts: LeaderRunOptions = {}) {
    this.renewMs = opts.renewMs ?? Math.max(50, Math.floor(lease.opts.ttlMs / 3));
  }

  isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight) await this.inFlight;
    if (this.leader) {
      await this.demote();
      await this.lease.release().catch((e: unknown) => this.opts.onError?.(e));
    }
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.inFlight = this.round().finally(() => {
        this.inFlight = undefined;
        if (!this.stopped) this.schedule(this.renewMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    const sentAt = Date.now();
    let held = false;
    try {
      held = await this.lease.hold();
    } catch (e) {
      this.opts.onError?.(e);
      // Unknown: keep working only while the last confirmed lease still runs (with a margin).
      held = this.leader && Date.now() < this.heldUntil - this.renewMs;
      if (!held && this.leader) await this.demote();
      return;
    }
    if (this.stopped) {
      if (held) await this.lease.release().catch(() => undefined);
      return;
    }
    if (held) {
      this.heldUntil = sentAt + this.lease.opts.ttlMs;
      if (!this.leader) {
        this.leader = true;
        this.task.start();
        this.opts.onChange?.(true);
      }
    } else if (this.leader) {
      await this.demote();
    }
  }

  private async demote(): Promise<void> {
    this.leader = false;
    await this.task.stop().catch((e: unknown) => this.opts.onError?.(e));
    this.opts.onChange?.(false);
  }
}
