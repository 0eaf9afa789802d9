import { Art50Error } from '../../errors';
import { Asn1, children, expect, oid, TAG } from '../../asn1/der';

/** AlgorithmIdentifier → { oid, params }. */
export function algorithmIdentifier(node: Asn1 | undefined, what: string): { oid: string; params: Asn1 | undefined } {
  const parts = children(expect(node, TAG.SEQUENCE, what));
  if (parts.length < 1 || parts.length > 2) throw new Art50Error('cms.malformed', `${what}: bad AlgorithmIdentifier`);
  return { oid: oid(parts[0], what), params: parts[1] };
}
