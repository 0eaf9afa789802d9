import { verify as cryptoVerify, VerifyKeyObjectInput } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { DigestName, PublicKeyRef } from './types';

/** The KeyObject of a node-decoded key, else undefined. */
export function nodeKey(key: PublicKeyRef): KeyObject | undefined {
  return key.kind === 'node' ? key.key : undefined;
}

/** One node:crypto (OpenSSL) verify; false on any error (a malformed signature or key). */
export function opensslVerify(digest: DigestName, data: Buffer, key: Omit<VerifyKeyObjectInput, 'key'> & { key: KeyObject }, signature: Buffer): boolean {
  if (digest !== 'sha256' && digest !== 'sha384' && digest !== 'sha512') return false;
  try {
    return cryptoVerify(digest, data, key, signature);
  } catch {
    return false;
  }
}
