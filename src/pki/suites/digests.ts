import { createHash } from 'node:crypto';
import { Art50Error, ErrorCode } from '../../errors';
import { Asn1, TAG } from '../../asn1/der';
import { OID } from '../../asn1/oids';
import { GOST_OID, streebog } from '../gost';
import { algorithmIdentifier } from './algorithm-identifier';
import type { DigestName } from './types';

/** The digest allowlist: OID → name, size and implementation. */
interface Digest {
  name: DigestName;
  bytes: number;
  hash(data: Buffer): Buffer;
}

const sha2 = (name: 'sha256' | 'sha384' | 'sha512', bytes: number): Digest => ({ name, bytes, hash: (d) => createHash(name).update(d).digest() });

const BY_OID: Record<string, Digest> = {
  [OID.sha256]: sha2('sha256', 32),
  [OID.sha384]: sha2('sha384', 48),
  [OID.sha512]: sha2('sha512', 64),
  [GOST_OID.digest256]: { name: 'streebog256', bytes: 32, hash: (d) => streebog(256, d) },
  [GOST_OID.digest512]: { name: 'streebog512', bytes: 64, hash: (d) => streebog(512, d) },
  // NCA RK's OIDs for GOST 34.11-2015, the same hash (checked against a KalkanCrypt signature).
  [GOST_OID.nca.digest256]: { name: 'streebog256', bytes: 32, hash: (d) => streebog(256, d) },
  [GOST_OID.nca.digest512]: { name: 'streebog512', bytes: 64, hash: (d) => streebog(512, d) },
};
const BY_NAME = new Map(Object.values(BY_OID).map((d) => [d.name, d]));
// The names map back to the RFC OIDs (the first listed): what art50 itself writes.
const OID_OF = new Map<DigestName, string>();
for (const [o, d] of Object.entries(BY_OID)) if (!OID_OF.has(d.name)) OID_OF.set(d.name, o);

export function digestAlgorithm(node: Asn1 | undefined, code: ErrorCode = 'cms.unsupported_algorithm'): DigestName {
  const { oid, params } = algorithmIdentifier(node, 'digestAlgorithm');
  const d = BY_OID[oid];
  if (!d) throw new Art50Error(code, `digest algorithm ${oid} is not accepted (SHA-256, SHA-384, SHA-512, Streebog-256, Streebog-512 are)`);
  if (params && params.tag !== TAG.NULL) throw new Art50Error(code, 'digestAlgorithm: unexpected parameters');
  return d.name;
}

export function digest(name: DigestName, data: Buffer): Buffer {
  return BY_NAME.get(name)!.hash(data);
}

export function digestBytes(name: DigestName): number {
  return BY_NAME.get(name)!.bytes;
}

export function digestOid(name: DigestName): string {
  return OID_OF.get(name)!;
}
