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

/** One entry after the per-entry checks: its leaf hash, or why it failed. */
export type CheckedEntry = { leaf: Buffer; bad?: undefined } | { bad: AuditDivergence; leaf?: undefined };

/** Messages of the audit workers: a batch of consecutive entries in, their leaf hashes out. */
export interface AuditBatch {
  seq: number;
  /** Index of the first entry of the batch. */
  start: number;
  /** Entry bytes concatenated; entry i is bytes[offsets[i], offsets[i+1]). */
  bytes: Uint8Array;
  offsets: Uint32Array;
  /** 1 where the source reported the entry missing. */
  missing: Uint8Array;
}

export interface AuditBatchResult {
  seq: number;
  /** 32-byte leaf hashes of the entries before the first bad one. */
  leaves: Uint8Array;
  bad?: AuditDivergence;
}
