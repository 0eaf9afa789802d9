import { ApiError, getJson } from '../api';
import { unb64 } from '../der';
import { CheckpointError, verifyCheckpoint } from './checkpoint';
import { verifyConsistency } from './merkle';
import { lastSeen, remember, Witnessed } from './witness-store';

/** A tree as a checkpoint states it. */
export interface TreeHead {
  treeSize: number;
  rootHash: string;
  time?: string;
}

export type Consistency =
  /** Nothing seen before in this browser: this checkpoint is now the reference. */
  | 'first'
  /** Same tree as last time. */
  | 'same'
  /** The consistency proof from the last seen tree verified. */
  | 'proved'
  /** Consistency proofs are for auditors: this session cannot ask for one. */
  | 'not_auditor';

export type Health =
  | { kind: 'ok'; current: TreeHead; origin: string; previous?: Witnessed; consistency: Consistency; sealKey: string }
  | {
    kind: 'alarm';
    reason: 'signature' | 'served_mismatch' | 'inconsistent' | 'shrunk' | 'seal_key';
    /** The tree the gateway serves now (for served_mismatch and signature: as its JSON claims it). */
    current: TreeHead;
    /** The tree this browser saw and checked before, if any: the reference the alarm is about. */
    previous?: TreeHead;
    /** served_mismatch only: the tree the checkpoint's verified signature covers, which the JSON contradicts. */
    signed?: TreeHead;
    detail?: string;
  };

interface ServedCheckpoint extends TreeHead {
  origin: string;
  time: string;
  checkpoint: string;
}

/**
 * The log's health as this browser can prove it: the latest checkpoint's seal signature
 * (WebCrypto), that the JSON served equals what is signed, that the seal key is the one seen
 * before, and a consistency proof from the last checkpoint seen here to this one. Only a fully
 * checked checkpoint replaces the remembered one, so an alarm stays until the log proves itself.
 */
export async function checkLogHealth(now: () => Date = () => new Date()): Promise<Health> {
  const served = await getJson<ServedCheckpoint>('/v1/log/checkpoint');
  const claimed: TreeHead = { treeSize: served.treeSize, rootHash: served.rootHash, time: served.time };
  const before = await lastSeen(served.origin);
  const previous = before ? { treeSize: before.treeSize, rootHash: before.rootHash, time: before.time } : undefined;
  let verified;
  try {
    verified = await verifyCheckpoint(unb64(served.checkpoint));
  } catch (e) {
    return { kind: 'alarm', reason: 'signature', current: claimed, ...(previous ? { previous } : {}), detail: e instanceof CheckpointError ? e.reason : String(e) };
  }
  const { body, sealKey } = verified;
  const current: TreeHead = { treeSize: body.treeSize, rootHash: body.rootHash, time: body.time };
  if (body.treeSize !== served.treeSize || body.rootHash !== served.rootHash || body.origin !== served.origin) {
    // Three trees: what is served, what is signed, and what this browser saw before — the last is
    // kept as `previous` like in every other alarm, so the witness's reference is never lost.
    return { kind: 'alarm', reason: 'served_mismatch', current: claimed, signed: current, ...(previous ? { previous } : {}) };
  }
  if (before && before.sealKey !== sealKey) return { kind: 'alarm', reason: 'seal_key', current, ...(previous ? { previous } : {}), detail: `${before.sealKey} → ${sealKey}` };
  let consistency: Consistency = 'first';
  if (before) {
    if (body.treeSize < before.treeSize) return { kind: 'alarm', reason: 'shrunk', current, ...(previous ? { previous } : {}) };
    if (body.treeSize === before.treeSize) {
      if (body.rootHash !== before.rootHash) return { kind: 'alarm', reason: 'inconsistent', current, ...(previous ? { previous } : {}) };
      consistency = 'same';
    } else {
      try {
        const proof = await getJson<{ path: string[] }>(`/v1/log/proofs/consistency?first=${before.treeSize}&second=${body.treeSize}`);
        const ok = await verifyConsistency(before.treeSize, body.treeSize, unb64(before.rootHash), unb64(body.rootHash), proof.path.map(unb64));
        if (!ok) return { kind: 'alarm', reason: 'inconsistent', current, ...(previous ? { previous } : {}) };
        consistency = 'proved';
      } catch (e) {
        if (e instanceof ApiError && e.problem.code === 'auth.forbidden') consistency = 'not_auditor';
        else throw e;
      }
    }
  }
  if (consistency !== 'not_auditor' && consistency !== 'same') {
    await remember({ origin: body.origin, treeSize: body.treeSize, rootHash: body.rootHash, time: body.time, sealKey, seenAt: now().toISOString() });
  }
  return { kind: 'ok', current, origin: body.origin, ...(before ? { previous: before } : {}), consistency, sealKey };
}
