import { readFileSync, statSync } from 'node:fs';
import { Art50Error } from '../errors';
import { Crl, parseCrl } from './crl';

/**
 * Where path validation gets its CRLs: a fixed set, or files reloaded when they change. Parsing and
 * checking one CRL is crl.ts.
 */

/** Where path validation gets CRLs from. `version` changes whenever the set of CRLs changes. */
export interface CrlSource {
  forIssuer(issuerName: Buffer): Crl | undefined;
  readonly version: number;
  /** True when at least one CRL is configured. */
  readonly configured: boolean;
  close(): void;
}

/** A fixed set of CRLs (tests, or callers that manage reloading themselves). */
export class StaticCrlSource implements CrlSource {
  readonly version = 1;
  private readonly byIssuer = new Map<string, Crl>();
  constructor(crls: readonly Crl[]) {
    for (const c of crls) {
      const k = c.issuer.toString('hex');
      const prev = this.byIssuer.get(k);
      if (!prev || prev.crlNumber < c.crlNumber || (prev.crlNumber === c.crlNumber && prev.thisUpdate < c.thisUpdate)) this.byIssuer.set(k, c);
    }
  }
  get configured(): boolean {
    return this.byIssuer.size > 0;
  }
  forIssuer(issuerName: Buffer): Crl | undefined {
    return this.byIssuer.get(issuerName.toString('hex'));
  }
  close(): void {}
}

export interface FileCrlSourceOptions {
  /** Poll interval for file changes; 0 disables the timer (call refresh() yourself). Default 30 s. */
  pollMs?: number;
  /** Called when a changed file cannot be loaded; the previous CRL from that file stays in force. */
  onError?: (e: unknown, file: string) => void;
  /** Injectable for tests. */
  setInterval?: (fn: () => void, ms: number) => { unref(): void };
  clearInterval?: (t: { unref(): void }) => void;
}

/**
 * CRLs from files, reloaded when a file's mtime/size/inode changes. The poll timer is unref'd so
 * it never keeps the process alive; close() stops it. A file that fails at startup throws
 * config.invalid; a file that fails on reload keeps its last good CRL (still bounded by its
 * nextUpdate, so a broken feed ends in cert.crl_stale — fail closed) and reports via onError.
 * A replacement older than the CRL in force (thisUpdate going back) is refused as a rollback.
 */
export class FileCrlSource implements CrlSource {
  private current: StaticCrlSource;
  private readonly loaded = new Map<string, { stamp: string; crl: Crl }>();
  private readonly timer: { unref(): void } | undefined;
  private readonly clear: (t: { unref(): void }) => void;
  private versionNo = 1;

  constructor(private readonly files: readonly string[], private readonly opts: FileCrlSourceOptions = {}) {
    for (const f of files) this.loaded.set(f, { stamp: stamp(f), crl: parseCrl(readOrThrow(f), f) });
    this.current = new StaticCrlSource([...this.loaded.values()].map((l) => l.crl));
    const pollMs = opts.pollMs ?? 30_000;
    this.clear = opts.clearInterval ?? ((t) => clearInterval(t as NodeJS.Timeout));
    if (pollMs > 0 && files.length > 0) {
      const set = opts.setInterval ?? ((fn: () => void, ms: number): { unref(): void } => setInterval(fn, ms));
      const t = set(() => this.refresh(), pollMs);
      t.unref();
      this.timer = t;
    }
  }

  get version(): number {
    return this.versionNo;
  }

  get configured(): boolean {
    return this.files.length > 0;
  }

  forIssuer(issuerName: Buffer): Crl | undefined {
    return this.current.forIssuer(issuerName);
  }

  /** Re-reads changed files; returns true when the CRL set changed. */
  refresh(): boolean {
    let changed = false;
    for (const f of this.files) {
      const prev = this.loaded.get(f);
      try {
        const s = stamp(f);
        if (prev && prev.stamp === s) continue;
        const crl = parseCrl(readOrThrow(f), f);
        if (prev && (crl.thisUpdate < prev.crl.thisUpdate || crl.crlNumber < prev.crl.crlNumber)) throw new Art50Error('config.invalid', `${f}: CRL is older than the one in force`);
        this.loaded.set(f, { stamp: s, crl });
        changed = true;
      } catch (e) {
        this.opts.onError?.(e, f);
      }
    }
    if (changed) {
      this.current = new StaticCrlSource([...this.loaded.values()].map((l) => l.crl));
      this.versionNo++;
    }
    return changed;
  }

  close(): void {
    if (this.timer) this.clear(this.timer);
  }
}

function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (e) {
    throw new Art50Error('config.unreadable', `CRL file ${file} is not readable`, { cause: e });
  }
}

function readOrThrow(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Art50Error('config.unreadable', `CRL file ${file} is not readable`, { cause: e });
  }
}
