/**
 * Checkpoints: what the gateway commits to. The body is canonical JSON
 *   {"origin":"…","rootHash":"<base64 of 32 bytes>","time":"<RFC 3339 ms>","treeSize":n}
 * sealed as CMS SignedData (content attached) with the gateway seal certificate, like every other
 * document of the gateway: an auditor verifies it with stock OpenSSL and the NCA root, then reads
 * the JSON. See docs/log.md for why CMS rather than a signed-note.
 */
import type { X509Certificate } from 'node:crypto';
import { Art50Error } from '../errors';
import { signCms } from '../cms/sign';
import { verifyCms } from '../cms/verify';
import type { SigningIdentity } from '../cms/types';
import { canonicalBytes } from './entry';
import { HASH_SIZE } from './merkle/hash';

export interface CheckpointBody {
  /** Names the log, e.g. "art50.kz/log/art50"; an auditor pins it. */
  origin: string;
  treeSize: number;
  /** Base64 (standard, padded) of the 32-byte RFC 9162 root hash. */
  rootHash: string;
  time: string;
}

/** Seals checkpoint body bytes (injected: CMS in production, a stand-in in tests). */
export type SignCheckpoint = (body: Buffer) => Buffer | Promise<Buffer>;

/** Checks a signed checkpoint and returns its body; throws log.checkpoint_signature otherwise. */
export type VerifyCheckpoint = (signed: Buffer) => CheckpointBody | Promise<CheckpointBody>;

export function encodeCheckpointBody(body: CheckpointBody): Buffer {
  return canonicalBytes(body);
}

const TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;

/** Parses and checks the shape of checkpoint body bytes (canonical JSON). */
export function parseCheckpointBody(bytes: Buffer): CheckpointBody {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new Art50Error('log.checkpoint_signature', 'checkpoint body is not JSON', { cause: e });
  }
  const o = v as Partial<Record<keyof CheckpointBody, unknown>>;
  const ok =
    typeof v === 'object' && v !== null && !Array.isArray(v) &&
    Object.keys(v).length === 4 &&
    typeof o.origin === 'string' &&
    typeof o.treeSize === 'number' && Number.isSafeInteger(o.treeSize) && o.treeSize >= 0 &&
    typeof o.rootHash === 'string' && Buffer.from(o.rootHash, 'base64').length === HASH_SIZE &&
    typeof o.time === 'string' && TIME.test(o.time);
  if (!ok) throw new Art50Error('log.checkpoint_signature', 'checkpoint body has the wrong shape');
  const body = v as CheckpointBody;
  if (!encodeCheckpointBody(body).equals(bytes)) throw new Art50Error('log.checkpoint_signature', 'checkpoint body is not canonical JSON');
  return body;
}

export function rootHashOf(body: CheckpointBody): Buffer {
  return Buffer.from(body.rootHash, 'base64');
}

/** Production signer: CMS with the gateway seal identity. */
export function cmsCheckpointSigner(identity: SigningIdentity): SignCheckpoint {
  return (body) => signCms(body, identity);
}

/**
 * Production verifier: CMS signature (verifyCms), then `trustSigner` (path validation to the NCA
 * root and "is the gateway seal" — supplied by the caller's trust store), then the body shape and,
 * if given, the expected origin.
 */
export function cmsCheckpointVerifier(opts: { trustSigner: (signer: X509Certificate, chain: X509Certificate[]) => void; origin?: string }): VerifyCheckpoint {
  return (signed) => {
    let content: Buffer;
    try {
      const v = verifyCms(signed);
      opts.trustSigner(v.signer, v.certificates);
      content = v.content;
    } catch (e) {
      throw new Art50Error('log.checkpoint_signature', `checkpoint signature does not verify: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const body = parseCheckpointBody(content);
    if (opts.origin !== undefined && body.origin !== opts.origin) {
      throw new Art50Error('log.checkpoint_signature', `checkpoint origin ${body.origin} is not ${opts.origin}`);
    }
    return body;
  };
}
