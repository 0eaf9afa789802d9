/**
 * What this browser saw last, per log origin, in IndexedDB: every auditor's browser is a witness.
 * A later checkpoint must be a consistent extension of it, signed by the same seal key.
 */

export interface Witnessed {
  origin: string;
  treeSize: number;
  rootHash: string;
  time: string;
  sealKey: string;
  /** When this browser checked it. */
  seenAt: string;
}

const DB = 'art50-witness';
const STORE = 'checkpoints';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'origin' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

function run<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return open().then((db) => new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = f(tx.objectStore(STORE));
    tx.oncomplete = () => {
      db.close();
      resolve(req.result as T);
    };
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  }));
}

export function lastSeen(origin: string): Promise<Witnessed | undefined> {
  return run<Witnessed | undefined>('readonly', (s) => s.get(origin));
}

export function remember(w: Witnessed): Promise<unknown> {
  return run('readwrite', (s) => s.put(w));
}
