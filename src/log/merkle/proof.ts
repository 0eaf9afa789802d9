/**
 * Proofs and roots read from a store of perfect subtrees: each proof is planned
 * (./proof-plan.ts), its nodes fetched in one reader call, then folded.
 */
import { emptyRoot } from './hash';
import { NodeId, Range, checkSize, consistencyRanges, decompose, foldFringe, inclusionRanges } from './proof-plan';

/** The one storage dependency of proofs: fetch perfect nodes, in the order asked, in one batch. */
export interface NodeReader {
  perfectNodes(ids: readonly NodeId[]): Promise<Buffer[]>;
}

/** Fetches the nodes of all ranges in ONE reader call and returns each range's MTH. */
export async function hashRanges(reader: NodeReader, ranges: readonly Range[]): Promise<Buffer[]> {
  const plans = ranges.map(decompose);
  const ids = plans.flat();
  if (ids.length === 0) return ranges.map(() => emptyRoot());
  const hashes = await reader.perfectNodes(ids);
  if (hashes.length !== ids.length) throw new Error(`node reader returned ${hashes.length} of ${ids.length} nodes`);
  const out: Buffer[] = [];
  let at = 0;
  for (const plan of plans) {
    out.push(foldFringe(hashes.slice(at, at + plan.length)));
    at += plan.length;
  }
  return out;
}

/** Inclusion proof (audit path) for leaf `index` in the tree of `size` leaves. */
export async function inclusionProof(reader: NodeReader, index: number, size: number): Promise<Buffer[]> {
  return hashRanges(reader, inclusionRanges(index, size));
}

/** Consistency proof between tree sizes `first` ≤ `second`. */
export async function consistencyProof(reader: NodeReader, first: number, second: number): Promise<Buffer[]> {
  return hashRanges(reader, consistencyRanges(first, second));
}

/** Root hash at `size` from the ≤ log2(n) fringe nodes. */
export async function rootAt(reader: NodeReader, size: number): Promise<Buffer> {
  checkSize(size);
  if (size === 0) return emptyRoot();
  const [root] = await hashRanges(reader, [{ start: 0, end: size }]);
  return root!;
}
