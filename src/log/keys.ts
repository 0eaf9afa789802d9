/**
 * Redis keys of one log. All carry the hash tag {ns}, so they sit on the same slot as the request
 * state whose changes they record, so one script can change that state and append its log entry
 * atomically (docs/log.md, Sequencing); every Lua script still names them in KEYS.
 */
export interface LogKeys {
  /** INCR counter; the entry index is the new value − 1. */
  size: string;
  /** HASH decimal index → canonical JSON entry bytes. */
  entries: string;
  /** HASH "<level>:<index>" → 32-byte hash of every complete perfect subtree (level 0 = leaves). */
  tree: string;
  /** Number of entries already hashed into the tree. */
  integrated: string;
  /** Latest signed checkpoint bytes (CMS DER). */
  checkpoint: string;
  /** Tree size of the latest signed checkpoint (so the CAS need not parse CMS). */
  checkpointSize: string;
  /** HASH decimal treeSize → signed checkpoint bytes; every checkpoint ever issued. */
  checkpoints: string;
  /** ZSET of the archived checkpoints' tree sizes (score = size), so they can be paged. */
  checkpointSizes: string;
}

const NS = /^[A-Za-z0-9_.-]{1,64}$/;

export function logKeys(ns: string): LogKeys {
  if (!NS.test(ns)) throw new Error(`invalid namespace ${ns}`);
  const p = `{${ns}}:log:`;
  return {
    size: `${p}size`,
    entries: `${p}entries`,
    tree: `${p}tree`,
    integrated: `${p}integrated`,
    checkpoint: `${p}checkpoint`,
    checkpointSize: `${p}checkpoint:size`,
    checkpoints: `${p}checkpoints`,
    checkpointSizes: `${p}checkpoint:sizes`,
  };
}
