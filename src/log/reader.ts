/**
 * Read side of the log for auditors (HTTP routes and the CLI are wired elsewhere). Only the
 * integrated prefix is served: entries, proofs and roots are all at sizes ≤ `{NS}:log:integrated`.
 * Each proof reads its nodes with ONE HMGET.
 */
import type Redis from 'ioredis';
import { Art50Error } from '../errors';
import { LogKeys, logKeys } from './keys';
import { NodeReader, consistencyProof, inclusionProof, rootAt } from './merkle/proof';
import { NodeId, nodeKey } from './merkle/proof-plan';

export interface LogReaderOptions {
  redis: Redis;
  ns: string;
  /** Largest page of entries() (default 1000). */
  maxPage?: number;
}

export interface InclusionProof {
  index: number;
  treeSize: number;
  path: Buffer[];
}

export interface ConsistencyProof {
  first: number;
  second: number;
  path: Buffer[];
}

/** NodeReader over `{NS}:log:tree`: one HMGET per call. */
export class RedisNodeReader implements NodeReader {
  constructor(
    private readonly redis: Redis,
    private readonly treeKey: string,
  ) {}

  async perfectNodes(ids: readonly NodeId[]): Promise<Buffer[]> {
    if (ids.length === 0) return [];
    const hashes = await this.redis.hmgetBuffer(this.treeKey, ...ids.map(nodeKey));
    return hashes.map((h, i) => {
      if (h === null) throw new Art50Error('log.inconsistent', `tree node ${nodeKey(ids[i]!)} is missing`);
      return h;
    });
  }
}

export class LogReader {
  private readonly redis: Redis;
  private readonly keys: LogKeys;
  private readonly maxPage: number;
  readonly nodes: NodeReader;

  constructor(opts: LogReaderOptions) {
    this.redis = opts.redis;
    this.keys = logKeys(opts.ns);
    this.maxPage = opts.maxPage ?? 1000;
    this.nodes = new RedisNodeReader(this.redis, this.keys.tree);
  }

  /** Entries hashed into the tree (the size proofs can be asked at). */
  async integratedSize(): Promise<number> {
    return Number((await this.redis.get(this.keys.integrated)) ?? 0);
  }

  /** Entries sequenced (some may not be integrated yet). */
  async sequencedSize(): Promise<number> {
    return Number((await this.redis.get(this.keys.size)) ?? 0);
  }

  /**
   * Entries [start, end) as their exact stored bytes. `end` is clamped to the integrated size and
   * to start + maxPage, so the result may be shorter than asked (as RFC 6962 get-entries).
   */
  async entries(start: number, end: number): Promise<Buffer[]> {
    if (!Number.isSafeInteger(start) || start < 0) throw new Art50Error('log.bad_range', `start ${start} is not a non-negative integer`, { field: 'start' });
    if (!Number.isSafeInteger(end) || end <= start) throw new Art50Error('log.bad_range', `end ${end} must be an integer greater than start ${start}`, { field: 'end' });
    const size = await this.integratedSize();
    if (start >= size) throw new Art50Error('log.bad_range', `start ${start} is beyond the tree size ${size}`, { field: 'start' });
    const stop = Math.min(end, size, start + this.maxPage);
    const fields: string[] = [];
    for (let i = start; i < stop; i++) fields.push(String(i));
    const values = await this.redis.hmgetBuffer(this.keys.entries, ...fields);
    return values.map((v, i) => {
      if (v === null) throw new Art50Error('log.inconsistent', `log entry ${start + i} is missing`, { extra: { index: start + i } });
      return v;
    });
  }

  /**
   * Every entry in [start, end) in order, as stored; a missing entry is yielded as null (so an
   * offline audit can name it). Default end: the integrated size.
   */
  async *stream(start = 0, end?: number): AsyncGenerator<Buffer | null> {
    const stop = end ?? (await this.integratedSize());
    for (let s = start; s < stop; s += this.maxPage) {
      const fields: string[] = [];
      for (let i = s; i < Math.min(stop, s + this.maxPage); i++) fields.push(String(i));
      yield* await this.redis.hmgetBuffer(this.keys.entries, ...fields);
    }
  }

  /** Latest signed checkpoint, or null before the first one. */
  async checkpoint(): Promise<Buffer | null> {
    return this.redis.getBuffer(this.keys.checkpoint);
  }

  /** The signed checkpoint issued at exactly `treeSize`, or null. */
  async checkpointAt(treeSize: number): Promise<Buffer | null> {
    return this.redis.hgetBuffer(this.keys.checkpoints, String(treeSize));
  }

  /** The archived checkpoints of these sizes, in order (one HMGET); sizes without one are skipped. */
  async checkpointsAt(sizes: readonly number[]): Promise<Buffer[]> {
    if (sizes.length === 0) return [];
    return (await this.redis.hmgetBuffer(this.keys.checkpoints, ...sizes.map(String))).filter((b): b is Buffer => b !== null);
  }

  /** Up to `limit` archived checkpoint sizes greater than `after`, ascending (one ZRANGEBYSCORE). */
  async checkpointSizesAfter(after: number, limit: number): Promise<number[]> {
    return (await this.redis.zrangebyscore(this.keys.checkpointSizes, `(${after}`, '+inf', 'LIMIT', 0, limit)).map(Number);
  }

  /** Tree sizes that have a checkpoint, ascending. */
  async checkpointSizes(): Promise<number[]> {
    return (await this.redis.hkeys(this.keys.checkpoints)).map(Number).sort((a, b) => a - b);
  }

  /** All archived checkpoints, ascending by tree size. */
  async allCheckpoints(): Promise<Buffer[]> {
    const sizes = await this.checkpointSizes();
    if (sizes.length === 0) return [];
    const values = await this.redis.hmgetBuffer(this.keys.checkpoints, ...sizes.map(String));
    return values.filter((v): v is Buffer => v !== null);
  }

  async rootAt(treeSize: number): Promise<Buffer> {
    await this.checkSize(treeSize, 'treeSize');
    return rootAt(this.nodes, treeSize);
  }

  async inclusionProof(index: number, treeSize: number): Promise<InclusionProof> {
    await this.checkSize(treeSize, 'treeSize');
    return { index, treeSize, path: await inclusionProof(this.nodes, index, treeSize) };
  }

  async consistencyProof(first: number, second: number): Promise<ConsistencyProof> {
    await this.checkSize(second, 'second');
    return { first, second, path: await consistencyProof(this.nodes, first, second) };
  }

  private async checkSize(size: number, field: string): Promise<void> {
    if (!Number.isSafeInteger(size) || size < 0) throw new Art50Error('log.bad_range', `${field} ${size} is not a non-negative integer`, { field });
    const integrated = await this.integratedSize();
    if (size > integrated) throw new Art50Error('log.bad_range', `${field} ${size} is beyond the integrated size ${integrated}`, { field });
  }
}
