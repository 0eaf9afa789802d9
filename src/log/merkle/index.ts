/**
 * The RFC 9162 Merkle tree, split as transparency-dev splits it: hashing, proof plans, proofs read
 * from the store, proof verification and the compact range. This index only re-exports, for
 * callers outside src/log/ that want the whole set; modules inside the log import the part they use.
 */
export { HASH_SIZE, emptyRoot, leafHash, nodeHash, rootFromLeaves } from './hash';
export type { NodeId, Range } from './proof-plan';
export { consistencyRanges, decompose, foldFringe, inclusionRanges, nodeKey } from './proof-plan';
export type { NodeReader } from './proof';
export { consistencyProof, hashRanges, inclusionProof, rootAt } from './proof';
export {
  assertConsistent,
  assertIncluded,
  rootFromInclusionProof,
  rootsFromConsistencyProof,
  verifyConsistency,
  verifyInclusion,
} from './verify';
export { CompactRange } from './compact-range';
