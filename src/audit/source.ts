/**
 * Where an audit reads the log from: the gateway over HTTP (RemoteLogSource) or an exported
 * directory (DirLogSource, see files.ts). Entries are exact stored bytes; a missing entry is null.
 */
export interface LogSource {
  /** Every signed checkpoint the source has (any order). Read BEFORE entries, so none lies beyond them. */
  checkpoints(): Promise<Buffer[]>;
  /** All entries in index order (null = missing), up to the end of the log at reading time. */
  entries(onPage?: (read: number, total: number | undefined) => void): AsyncIterable<Buffer | null> | Iterable<Buffer | null>;
  /** Inclusion proof from the log's own tree (only remote sources have one). */
  prove?: (index: number, treeSize: number) => Promise<Buffer[]>;
  /** A short name for reports ("https://…", "dir …"). */
  readonly name: string;
}
