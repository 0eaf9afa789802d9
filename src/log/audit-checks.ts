export type AuditReason =
  | 'missing_entry'
  | 'not_json'
  | 'schema'
  | 'not_canonical'
  | 'index_mismatch'
  | 'root_mismatch'
  | 'entry_not_included'
  | 'truncated'
  | 'fork'
  | 'saved_checkpoint_mismatch';

export interface AuditDivergence {
  /** The first entry index known to diverge (for root_mismatch without localisation: the first of the range). */
  index: number;
  /** Set when the divergence could only be bounded: it lies in entries index..lastIndex. */
  lastIndex?: number;
  reason: AuditReason;
  detail: string;
  /** Tree size of the checkpoint involved, if any. */
  treeSize?: number;
}

/**
 * A run of consecutive entries after the per-entry checks: the leaf hashes of those that passed
 * and, if one failed, why (it ends the run). Runs, not single entries, cross the thread and
 * generator boundaries: a million-entry audit would otherwise pay a message or a promise per entry.
 */
export interface CheckedBatch {
  /** 32-byte leaf hashes of the entries before the first bad one, in log order. */
  leaves: Uint8Array;
  /**
   * When the run is whole (no bad entry), its length a power of two 2^k and its first index a
   * multiple of it: the hash of the perfect subtree over exactly these leaves, so the caller can
   * fold the run in one step (CompactRange.appendSubtree(k, …)) instead of one node hash per leaf.
   */
  subtree?: Uint8Array;
  bad?: AuditDivergence;
}

/** Messages of the audit workers: a batch of consecutive entries in, their leaf hashes out. */
export interface AuditBatch {
  seq: number;
  /** Index of the first entry of the batch. */
  start: number;
  /**
   * Records concatenated, record i = bytes[offsets[i], offsets[i+1]) = 0x00 ‖ entry bytes: the
   * RFC 9162 leaf prefix is laid down by the sender, so the worker hashes each record in place.
   * A missing entry's record is empty.
   */
  bytes: Uint8Array;
  offsets: Uint32Array;
  /** 1 where the source reported the entry missing. */
  missing: Uint8Array;
}

export interface AuditBatchResult extends CheckedBatch {
  seq: number;
}
