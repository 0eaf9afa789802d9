/** The log of a running gateway, read through the auditor API (/v1/log/*). */
import { ApiClient, isApiError } from '../client/api-client';
import type { LogSource } from './source';

interface EntriesPage {
  start: number;
  end: number;
  entries: string[];
}

export interface CheckpointView {
  origin: string;
  treeSize: number;
  rootHash: string;
  time: string;
  checkpoint: string;
}

export class RemoteLogSource implements LogSource {
  readonly name: string;

  constructor(
    private readonly client: ApiClient,
    private readonly pageSize = 1000,
  ) {
    this.name = client.baseUrl;
  }

  /** The latest checkpoint (or null before the first one). */
  async latest(): Promise<CheckpointView | null> {
    try {
      return await this.client.get<CheckpointView>('/v1/log/checkpoint');
    } catch (e) {
      if (isApiError(e) && e.code === 'log.not_found') return null;
      throw e;
    }
  }

  async checkpoints(): Promise<Buffer[]> {
    const out: Buffer[] = [];
    let after = -1;
    for (;;) {
      const page = await this.client.get<{ items: string[]; next: number | null }>(`/v1/log/checkpoints?after=${after}&limit=1000`);
      out.push(...page.items.map((b) => Buffer.from(b, 'base64')));
      if (page.next === null || page.next === undefined) return out;
      after = page.next;
    }
  }

  async *entries(onPage?: (read: number, total: number | undefined) => void): AsyncGenerator<Buffer | null> {
    const total = (await this.latest())?.treeSize;
    let start = 0;
    for (;;) {
      let page: EntriesPage;
      try {
        page = await this.client.get<EntriesPage>(`/v1/log/entries?start=${start}&end=${start + this.pageSize}`);
      } catch (e) {
        if (isApiError(e) && e.code === 'log.bad_range') return; // start is the end of the log
        if (!(isApiError(e) && e.code === 'log.inconsistent')) throw e;
        // Some entry of this page is missing: read it one by one to name the hole.
        for (let i = start; i < start + this.pageSize; i++) {
          try {
            const one = await this.client.get<EntriesPage>(`/v1/log/entries?start=${i}&end=${i + 1}`);
            yield Buffer.from(one.entries[0]!, 'utf8');
          } catch (e2) {
            if (isApiError(e2) && e2.code === 'log.bad_range') return;
            if (!(isApiError(e2) && e2.code === 'log.inconsistent')) throw e2;
            yield null;
          }
        }
        start += this.pageSize;
        onPage?.(start, total);
        continue;
      }
      if (page.entries.length === 0) return;
      for (const s of page.entries) yield Buffer.from(s, 'utf8');
      start = page.end;
      onPage?.(start, total);
    }
  }

  prove = async (index: number, treeSize: number): Promise<Buffer[]> => {
    const p = await this.client.get<{ path: string[] }>(`/v1/log/proofs/inclusion?index=${index}&treeSize=${treeSize}`);
    return p.path.map((h) => Buffer.from(h, 'base64'));
  };

  /** Inclusion proof with the entry as the log serves it. */
  async inclusion(index: number, treeSize: number): Promise<{ entry: Buffer; path: Buffer[] }> {
    const p = await this.client.get<{ entry: string; path: string[] }>(`/v1/log/proofs/inclusion?index=${index}&treeSize=${treeSize}`);
    return { entry: Buffer.from(p.entry, 'utf8'), path: p.path.map((h) => Buffer.from(h, 'base64')) };
  }
}
