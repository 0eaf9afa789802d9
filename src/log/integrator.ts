/**
 * Integration: hashes sequenced entries into the tree (Redis Lua has no SHA-256, so this runs in
 * Node) and signs checkpoints. Safe with several gateway instances: the node writes and the new
 * integrated size go in with one compare-and-set script; a loser simply retries next round (node
 * hashes are deterministic, so nothing it computed could have differed).
 */
import type Redis from 'ioredis';
import { socketMark, type ReplicaFence } from '../redis/replica-fence';
import { Art50Error } from '../errors';
import { CheckpointBody, SignCheckpoint, encodeCheckpointBody } from './checkpoint';
import { logTime } from './entry';
import { LogKeys, logKeys } from './keys';
import { CompactRange } from './merkle/compact-range';
import { leafHash } from './merkle/hash';
import { nodeKey } from './merkle/proof-plan';
import { scriptRunner } from '../store/script-set';
import { checkpointReply, integrateReply } from './lua/replies';

export interface LogIntegratorOptions {
  redis: Redis;
  ns: string;
  signCheckpoint: SignCheckpoint;
  clock?: () => Date;
  /** Checkpoint origin line; default `art50/<ns>`. */
  origin?: string;
  /** Entries per HMGET (default 1000). */
  readBatch?: number;
  /** Most entries integrated by one integrateOnce (default 50,000). */
  maxPerRound?: number;
  /** A new checkpoint at most this often while the tree grows (default 1000 ms: auditors expect a fresh checkpoint at least every second while entries arrive, docs/log.md). */
  checkpointIntervalMs?: number;
  /** Called with errors from the background loop (start()); default: ignored. */
  onError?: (e: unknown) => void;
  /**
   * Resolves once what this round read is on the Redis replicas (src/redis/replica-fence.ts):
   * a checkpoint is signed only over entries a failover cannot take back. Default: no wait.
   */
  fence?: ReplicaFence;
}

export interface IntegrateResult {
  /** Integrated size after this round (as far as this instance knows). */
  treeSize: number;
  /** Entries this instance integrated this round (0 if none or lost the race). */
  added: number;
  /** True if another integrator moved first and nothing was written. */
  lostRace: boolean;
  /** The checkpoint signed and stored this round, if any. */
  checkpoint?: CheckpointBody;
}

export class LogIntegrator {
  private readonly redis: Redis;
  private readonly keys: LogKeys;
  private readonly sign: SignCheckpoint;
  private readonly clock: () => Date;
  private readonly origin: string;
  private readonly readBatch: number;
  private readonly maxPerRound: number;
  private readonly checkpointIntervalMs: number;
  private readonly onError: (e: unknown) => void;
  private readonly fence: ReplicaFence;
  private lastCheckpointAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> | undefined;
  private stopped = true;

  constructor(opts: LogIntegratorOptions) {
    this.redis = opts.redis;
    this.keys = logKeys(opts.ns);
    this.sign = opts.signCheckpoint;
    this.clock = opts.clock ?? (() => new Date());
    this.origin = opts.origin ?? `art50/${opts.ns}`;
    this.readBatch = opts.readBatch ?? 1000;
    this.maxPerRound = opts.maxPerRound ?? 50_000;
    this.checkpointIntervalMs = opts.checkpointIntervalMs ?? 1000;
    this.onError = opts.onError ?? (() => undefined);
    this.fence = opts.fence ?? (() => Promise.resolve());
  }

  /** One round: integrate what is sequenced (up to maxPerRound), then checkpoint if due. */
  async integrateOnce(): Promise<IntegrateResult> {
    const k = this.keys;
    // The round reads, writes and checkpoints on one socket, or the fence refuses it.
    const since = socketMark(this.redis);
    const [integratedRaw, sizeRaw, cpSizeRaw] = await this.redis.mget(k.integrated, k.size, k.checkpointSize);
    const integrated = Number(integratedRaw ?? 0);
    const size = Number(sizeRaw ?? 0);
    const cpSize = cpSizeRaw === null ? -1 : Number(cpSizeRaw);

    const range = await this.fringe(integrated);
    let added = 0;
    let lostRace = false;
    if (size > integrated) {
      const end = Math.min(size, integrated + this.maxPerRound);
      const nodes: Buffer[] = [];
      const fields: string[] = [];
      const entries = await this.readEntries(integrated, end);
      entries.forEach((bytes, i) => {
        if (bytes === null) {
          throw new Art50Error('log.inconsistent', `log entry ${integrated + i} is sequenced but missing`, { extra: { index: integrated + i } });
        }
        range.append(leafHash(bytes), (level, index, hash) => {
          fields.push(nodeKey({ level, index }));
          nodes.push(hash);
        });
      });
      const args: Array<string | Buffer> = [String(integrated), String(end)];
      fields.forEach((f, i) => args.push(f, nodes[i]!));
      const written = integrateReply(await scriptRunner(this.redis, 'log/lua/integrate-2.lua')([k.integrated, k.tree], args));
      if (written) added = end - integrated;
      else lostRace = true;
    }
    if (lostRace) return { treeSize: integrated, added: 0, lostRace };

    const treeSize = integrated + added;
    const result: IntegrateResult = { treeSize, added, lostRace };
    const now = this.clock();
    if (treeSize > cpSize && (cpSize < 0 || now.getTime() - this.lastCheckpointAt >= this.checkpointIntervalMs)) {
      const body: CheckpointBody = { origin: this.origin, treeSize, rootHash: range.root().toString('base64'), time: logTime(now) };
      // The entries were read before the fence: once it passes they are on the replicas too.
      await this.fence(since);
      const signed = await this.sign(encodeCheckpointBody(body));
      // Whether it became the latest checkpoint or one of this size was already there, the tree is signed at this size.
      checkpointReply(await scriptRunner(this.redis, 'log/lua/checkpoint-4.lua')([k.checkpoint, k.checkpointSize, k.checkpoints, k.checkpointSizes], [String(treeSize), signed]));
      this.lastCheckpointAt = now.getTime();
      result.checkpoint = body;
    }
    return result;
  }

  /** Runs integrateOnce until nothing is left to integrate; returns the final result. */
  async integrateAll(): Promise<IntegrateResult> {
    for (;;) {
      const r = await this.integrateOnce();
      if (r.added === 0 && !r.lostRace) return r;
    }
  }

  /** Background loop; the timer is unref'd so it never keeps the process alive. */
  start(intervalMs = 250): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = (): void => {
      if (this.stopped) return;
      const run = this.integrateOnce()
        .catch((e: unknown) => this.onError(e))
        .finally(() => {
          this.inFlight = undefined;
          if (!this.stopped) {
            this.timer = setTimeout(tick, intervalMs);
            this.timer.unref();
          }
        });
      this.inFlight = run;
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  /** Stops the loop and waits for an in-flight round. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight) await this.inFlight;
  }

  /** The compact range of the first `size` leaves, from the ≤ log2(n) stored fringe nodes. */
  private async fringe(size: number): Promise<CompactRange> {
    const ids = CompactRange.fringeIds(size);
    if (ids.length === 0) return new CompactRange();
    const hashes = await this.redis.hmgetBuffer(this.keys.tree, ...ids.map(nodeKey));
    const missing = hashes.findIndex((h) => h === null);
    if (missing >= 0) {
      throw new Art50Error('log.inconsistent', `tree node ${nodeKey(ids[missing]!)} is missing at integrated size ${size}`);
    }
    return new CompactRange(size, hashes as Buffer[]);
  }

  /** Entries [start, end) as bytes, HMGET in batches, pipelined in one round trip. */
  private async readEntries(start: number, end: number): Promise<Array<Buffer | null>> {
    const pipe = this.redis.pipeline();
    for (let s = start; s < end; s += this.readBatch) {
      const fields: string[] = [];
      for (let i = s; i < Math.min(end, s + this.readBatch); i++) fields.push(String(i));
      pipe.hmgetBuffer(this.keys.entries, ...fields);
    }
    const replies = (await pipe.exec()) ?? [];
    const out: Array<Buffer | null> = [];
    for (const [err, value] of replies) {
      if (err) throw err;
      out.push(...(value as Array<Buffer | null>));
    }
    return out;
  }
}
