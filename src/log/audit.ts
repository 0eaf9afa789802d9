/**
 * Offline audit of a whole log (used by `art50 audit verify`): one streaming pass that recomputes
 * the tree from the entry bytes with a compact range (O(n) time, O(log n) fringe memory plus a
 * bounded window of recent leaf hashes), checks every entry and every signed checkpoint on the
 * way, and stops at the FIRST divergence, naming its index and reason.
 *
 * Steps, in order, for entry i: present → JSON → schema → canonical bytes → index = i; before
 * entry i, every checkpoint of size i must have the recomputed root. A root mismatch says "some
 * entry since the last matching checkpoint differs"; with `prove` (inclusion proofs from the log,
 * e.g. LogReader.inclusionProof) the exact entry is found by checking each recomputed leaf in
 * that window against the signed root.
 */
import { Art50Error } from '../errors';
import { CheckpointBody, VerifyCheckpoint, rootHashOf } from './checkpoint';
import { LogEntry, LogEntryValidator, createLogEntryValidator, isCanonicalText } from './entry';
import type { AuditDivergence, AuditReason, CheckedBatch } from './audit-checks';
import { CompactRange } from './merkle/compact-range';
import { HASH_SIZE, leafHash } from './merkle/hash';
import { verifyInclusion } from './merkle/verify';

export type { AuditDivergence, AuditReason } from './audit-checks';

export interface AuditProgress {
  entries: number;
  checkpointsVerified: number;
}

export interface AuditOptions {
  /** Entry bytes in index order; null = the source reports the entry missing. */
  entries: AsyncIterable<Uint8Array | null> | Iterable<Uint8Array | null>;
  /** Signed checkpoints (any order); each is verified with verifyCheckpoint and its root checked at its size. */
  checkpoints?: readonly Buffer[];
  /** A checkpoint the auditor saved earlier: the log must still contain exactly that tree as a prefix. */
  saved?: Buffer;
  verifyCheckpoint: VerifyCheckpoint;
  /** Inclusion proofs from the log, used only to pin a root mismatch to one entry. */
  prove?: (index: number, treeSize: number) => Promise<Buffer[]>;
  validate?: LogEntryValidator;
  onProgress?: (p: AuditProgress) => void;
  /** Entries between progress calls (default 65,536). */
  progressEvery?: number;
  /** Leaf hashes kept for localisation since the last matching checkpoint (default 65,536). */
  window?: number;
  /**
   * The per-entry checks and leaf hashes of `entries`, computed elsewhere (checkEntriesInParallel);
   * default: computed here, one entry at a time.
   */
  checked?: (entries: AuditOptions['entries']) => AsyncIterable<CheckedBatch>;
}

export interface AuditReport {
  ok: boolean;
  /** Entries read and verified before stopping. */
  entries: number;
  /** Hex root of the entries read (of all of them when ok). */
  root: string;
  checkpointsVerified: number;
  /** The largest checkpoint that matched. */
  lastVerified?: CheckpointBody;
  divergence?: AuditDivergence;
}

interface Check {
  body: CheckpointBody;
  root: Buffer;
  saved: boolean;
}

export async function auditLog(opts: AuditOptions): Promise<AuditReport> {
  const validate = opts.validate ?? createLogEntryValidator();
  const progressEvery = opts.progressEvery ?? 65_536;
  const windowCap = opts.window ?? 65_536;

  // 1. Verify every checkpoint's signature up front (a bad signature is not a divergence of the
  //    log but a bad input: it throws log.checkpoint_signature).
  const checks: Check[] = [];
  for (const signed of opts.checkpoints ?? []) {
    const body = await opts.verifyCheckpoint(signed);
    checks.push({ body, root: rootHashOf(body), saved: false });
  }
  if (opts.saved) {
    const body = await opts.verifyCheckpoint(opts.saved);
    checks.push({ body, root: rootHashOf(body), saved: true });
  }
  checks.sort((a, b) => a.body.treeSize - b.body.treeSize);
  // Two signed checkpoints of one size with different roots: the gateway signed a fork.
  for (let i = 1; i < checks.length; i++) {
    const a = checks[i - 1]!;
    const b = checks[i]!;
    if (a.body.treeSize === b.body.treeSize && !a.root.equals(b.root)) {
      return stop(0, 0, emptyHex(), undefined, {
        index: Math.max(0, a.body.treeSize - 1),
        reason: 'fork',
        detail: `two signed checkpoints of size ${a.body.treeSize} have different roots (${a.body.rootHash}, ${b.body.rootHash})`,
        treeSize: a.body.treeSize,
      });
    }
  }

  const range = new CompactRange();
  let next = 0; // next check to apply
  let verified = 0;
  let lastVerified: CheckpointBody | undefined;
  let windowStart = 0;
  // Leaf hashes since windowStart, packed; undefined once more than windowCap (bound only).
  let windowLeaves: Uint8Array | undefined = new Uint8Array(0);
  let windowCount = 0;
  const windowLeaf = (i: number): Buffer => Buffer.from(windowLeaves!.buffer, windowLeaves!.byteOffset + HASH_SIZE * (i - windowStart), HASH_SIZE);
  const keepInWindow = (leaves: Uint8Array): void => {
    if (windowLeaves === undefined) return;
    const count = leaves.length / HASH_SIZE;
    if (windowCount + count > windowCap) {
      windowLeaves = undefined; // too far since the last matching checkpoint: bound only
      return;
    }
    if (windowLeaves.length < HASH_SIZE * (windowCount + count)) {
      const grown = new Uint8Array(HASH_SIZE * Math.min(windowCap, Math.max(2 * (windowCount + count), 1024)));
      grown.set(windowLeaves.subarray(0, HASH_SIZE * windowCount));
      windowLeaves = grown;
    }
    windowLeaves.set(leaves, HASH_SIZE * windowCount);
    windowCount += count;
  };

  const report = (p: number): void => opts.onProgress?.({ entries: p, checkpointsVerified: verified });

  /** Exact index of the first window leaf not included under `check`, or undefined. */
  const localise = async (upTo: number, check: Check): Promise<number | undefined> => {
    if (!opts.prove || windowLeaves === undefined) return undefined;
    for (let i = windowStart; i < upTo; i++) {
      const proof = await opts.prove(i, check.body.treeSize);
      if (!verifyInclusion(i, check.body.treeSize, windowLeaf(i), proof, check.root)) return i;
    }
    return undefined;
  };

  /** Applies all checks of size `size` (= entries consumed so far). */
  const applyChecks = async (size: number): Promise<AuditDivergence | undefined> => {
    while (next < checks.length && checks[next]!.body.treeSize === size) {
      const check = checks[next]!;
      if (!range.root().equals(check.root)) {
        const exact = await localise(size, check);
        const reason: AuditReason = check.saved ? 'saved_checkpoint_mismatch' : 'root_mismatch';
        if (exact !== undefined) {
          return { index: exact, reason, treeSize: size, detail: `entry ${exact} is not the entry the checkpoint of size ${size} committed to` };
        }
        return {
          index: windowLeaves === undefined ? 0 : windowStart,
          lastIndex: size - 1,
          reason,
          treeSize: size,
          detail: `recomputed root at size ${size} differs from the signed ${check.saved ? 'saved ' : ''}checkpoint (${check.body.rootHash})`,
        };
      }
      verified++;
      lastVerified = check.body;
      next++;
      windowStart = size;
      windowLeaves = new Uint8Array(0);
      windowCount = 0;
    }
    return undefined;
  };

  /** A structural failure at `pos`: an earlier entry in the window may be the real first divergence. */
  const structural = async (pos: number, d: AuditDivergence): Promise<AuditDivergence> => {
    const later = checks.slice(next).find((c) => c.body.treeSize > pos);
    if (later && pos > windowStart) {
      const exact = await localise(pos, later);
      if (exact !== undefined) {
        return { index: exact, reason: 'entry_not_included', treeSize: later.body.treeSize, detail: `entry ${exact} is not included in the checkpoint of size ${later.body.treeSize}` };
      }
    }
    return d;
  };

  let pos = 0;
  const checked = opts.checked ? opts.checked(opts.entries) : checkInline(opts.entries, validate);
  for await (const batch of checked) {
    const count = batch.leaves.length / HASH_SIZE;
    const end = pos + count;
    if (next < checks.length && checks[next]!.body.treeSize === pos) {
      const atCheck = await applyChecks(pos);
      if (atCheck) return stop(pos, verified, range.root().toString('hex'), lastVerified, atCheck);
    }
    const nextSize = next < checks.length ? checks[next]!.body.treeSize : Infinity;
    if (batch.subtree && !batch.bad && nextSize >= end) {
      // Whole aligned batch and no checkpoint inside it: fold its subtree in one step.
      range.appendSubtree(Math.log2(count), Buffer.from(batch.subtree.buffer, batch.subtree.byteOffset, HASH_SIZE));
      keepInWindow(batch.leaves);
      const before = pos;
      pos = end;
      if (Math.floor(pos / progressEvery) > Math.floor(before / progressEvery)) report(pos);
      continue;
    }
    for (let i = 0; i < count; i++) {
      const atCheck = next < checks.length && checks[next]!.body.treeSize === pos ? await applyChecks(pos) : undefined;
      if (atCheck) return stop(pos, verified, range.root().toString('hex'), lastVerified, atCheck);
      const leaf = batch.leaves.subarray(HASH_SIZE * i, HASH_SIZE * (i + 1));
      range.append(Buffer.from(leaf.buffer, leaf.byteOffset, HASH_SIZE));
      keepInWindow(leaf);
      pos++;
      if (pos % progressEvery === 0) report(pos);
    }
    if (batch.bad) {
      const atCheck = next < checks.length && checks[next]!.body.treeSize === pos ? await applyChecks(pos) : undefined;
      if (atCheck) return stop(pos, verified, range.root().toString('hex'), lastVerified, atCheck);
      return stop(pos, verified, range.root().toString('hex'), lastVerified, await structural(pos, batch.bad));
    }
  }
  const atEnd = await applyChecks(pos);
  if (atEnd) return stop(pos, verified, range.root().toString('hex'), lastVerified, atEnd);
  if (next < checks.length) {
    const c = checks[next]!;
    return stop(pos, verified, range.root().toString('hex'), lastVerified, {
      index: pos,
      lastIndex: c.body.treeSize - 1,
      reason: 'truncated',
      treeSize: c.body.treeSize,
      detail: `the log ends at ${pos} entries but a signed checkpoint covers ${c.body.treeSize}`,
    });
  }
  report(pos);
  const out: AuditReport = { ok: true, entries: pos, root: range.root().toString('hex'), checkpointsVerified: verified };
  if (lastVerified) out.lastVerified = lastVerified;
  return out;
}

/** Entries checked here, in runs of up to INLINE_RUN (no subtree: the caller folds each leaf). */
const INLINE_RUN = 1024;

async function* checkInline(entries: AuditOptions['entries'], validate: LogEntryValidator): AsyncGenerator<CheckedBatch> {
  let pos = 0;
  let leaves = new Uint8Array(HASH_SIZE * INLINE_RUN);
  let count = 0;
  for await (const bytes of entries) {
    const bad = checkEntry(bytes, pos, validate);
    if (bad) {
      yield { leaves: leaves.subarray(0, HASH_SIZE * count), bad };
      return;
    }
    leaves.set(leafHash(bytes!), HASH_SIZE * count);
    count++;
    pos++;
    if (count === INLINE_RUN) {
      yield { leaves };
      leaves = new Uint8Array(HASH_SIZE * INLINE_RUN);
      count = 0;
    }
  }
  if (count > 0) yield { leaves: leaves.subarray(0, HASH_SIZE * count) };
}

/** The per-entry checks, in order; undefined when the entry is fine. */
export function checkEntry(bytes: Uint8Array | null, pos: number, validate: LogEntryValidator): AuditDivergence | undefined {
  if (bytes === null) return { index: pos, reason: 'missing_entry', detail: `entry ${pos} is missing` };
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { index: pos, reason: 'not_json', detail: `entry ${pos} is not JSON` };
  }
  let entry: LogEntry;
  try {
    entry = validate(parsed);
  } catch (e) {
    return { index: pos, reason: 'schema', detail: `entry ${pos}: ${e instanceof Art50Error ? e.detail : String(e)}` };
  }
  if (entry.index !== pos) return { index: pos, reason: 'index_mismatch', detail: `entry at position ${pos} says index ${entry.index}` };
  if (!isCanonicalText(entry, text)) return { index: pos, reason: 'not_canonical', detail: `entry ${pos} is not canonical JSON` };
  return undefined;
}

function stop(entries: number, verified: number, root: string, lastVerified: CheckpointBody | undefined, divergence: AuditDivergence): AuditReport {
  const out: AuditReport = { ok: false, entries, root, checkpointsVerified: verified, divergence };
  if (lastVerified) out.lastVerified = lastVerified;
  return out;
}

function emptyHex(): string {
  return new CompactRange().root().toString('hex');
}
