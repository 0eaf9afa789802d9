import type { RequestStore } from './store';

/**
 * One background pass of data-key rotation: every stored request and sanction not sealed under the
 * current data key is re-sealed (docs/operations.md, "Data keys"). Run by each background process
 * at start; passes in several processes at once are safe (each rewrite is a compare-and-set).
 */
export async function rekeyStoredDocuments(store: RequestStore, isStopped: () => boolean = () => false): Promise<number> {
  let cursor = '0';
  let total = 0;
  do {
    const r = await store.rekey(cursor);
    total += r.resealed;
    cursor = r.cursor;
  } while (cursor !== '0' && !isStopped());
  return total;
}
