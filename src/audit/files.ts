/**
 * Offline form of a log: DIR/entries.jsonl (one exact stored entry string per line, in index
 * order; an empty line stands for a missing entry) and DIR/checkpoints/<treeSize>.p7s (DER CMS).
 * Entries are canonical JSON, so they never contain a raw newline.
 */
import { createReadStream, createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Art50Error } from '../errors';
import { verifyCms } from '../cms/verify';
import { parseCheckpointBody } from '../log/checkpoint';
import type { LogSource } from './source';

export const ENTRIES_FILE = 'entries.jsonl';
export const CHECKPOINTS_DIR = 'checkpoints';

/** Claimed tree size of a signed checkpoint (no trust decision: only for file names and reports). */
export function claimedTreeSize(signed: Buffer): number | undefined {
  try {
    return parseCheckpointBody(verifyCms(signed).content).treeSize;
  } catch {
    return undefined;
  }
}

/** Copies a source into DIR; returns what was written. */
export async function exportLog(source: LogSource, dir: string, onPage?: (read: number, total: number | undefined) => void): Promise<{ entries: number; checkpoints: number }> {
  mkdirSync(join(dir, CHECKPOINTS_DIR), { recursive: true });
  const cps = await source.checkpoints();
  cps.forEach((c, i) => writeFileSync(join(dir, CHECKPOINTS_DIR, `${claimedTreeSize(c) ?? `unknown-${i}`}.p7s`), c));
  const out = createWriteStream(join(dir, ENTRIES_FILE));
  let n = 0;
  for await (const e of source.entries(onPage)) {
    if (e !== null && e.includes(0x0a)) throw new Art50Error('log.inconsistent', `entry ${n} contains a newline; it is not canonical JSON`);
    if (!out.write(e === null ? '\n' : Buffer.concat([e, Buffer.from('\n')]))) await once(out, 'drain');
    n++;
  }
  out.end();
  await once(out, 'finish');
  return { entries: n, checkpoints: cps.length };
}

export class DirLogSource implements LogSource {
  readonly name: string;

  constructor(private readonly dir: string) {
    this.name = `dir ${dir}`;
  }

  async checkpoints(): Promise<Buffer[]> {
    let names: string[];
    try {
      names = readdirSync(join(this.dir, CHECKPOINTS_DIR));
    } catch {
      return [];
    }
    return names.filter((n) => n.endsWith('.p7s')).sort().map((n) => readFileSync(join(this.dir, CHECKPOINTS_DIR, n)));
  }

  async *entries(): AsyncGenerator<Buffer | null> {
    const rl = createInterface({ input: createReadStream(join(this.dir, ENTRIES_FILE)), crlfDelay: Infinity });
    for await (const line of rl) yield line.length === 0 ? null : Buffer.from(line, 'utf8');
  }

  /** All entries in memory (for an offline inclusion proof). */
  async all(): Promise<(Buffer | null)[]> {
    const out: (Buffer | null)[] = [];
    for await (const e of this.entries()) out.push(e);
    return out;
  }
}
