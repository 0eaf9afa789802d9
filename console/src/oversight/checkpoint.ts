import { SignedDataError, SignedDataFailure, verifySignedData } from '../signed-data';

/**
 * A signed checkpoint checked in the browser: the gateway seals it as CMS SignedData (content
 * attached, signed attributes, SHA-256, the seal certificate included — src/log/checkpoint.ts);
 * here the signature is verified with WebCrypto (../signed-data.ts, shared with the statements'
 * check) and the body is read from the signed bytes only.
 * The certificate path to the NCA root is the CLI's job (`art50 audit verify`); the page pins the
 * seal key it saw first (witness-store.ts) and reports any other.
 */

export interface CheckpointBody {
  origin: string;
  treeSize: number;
  rootHash: string;
  time: string;
}

export interface VerifiedCheckpoint {
  body: CheckpointBody;
  /** Base64 of the SHA-256 of the seal certificate's SubjectPublicKeyInfo. */
  sealKey: string;
}

export class CheckpointError extends Error {
  constructor(readonly reason: 'malformed' | 'digest' | 'signature' | 'algorithm') {
    super(`checkpoint ${reason}`);
  }
}

/** The shared verifier's failures, in the terms the log-health view reports. */
const REASONS: Record<SignedDataFailure, CheckpointError['reason']> = {
  malformed: 'malformed',
  signer_count: 'malformed',
  signer_cert_missing: 'malformed',
  no_signed_attributes: 'malformed',
  algorithm: 'algorithm',
  digest: 'digest',
  signature: 'signature',
};

const b64 = (b: Uint8Array): string => btoa(String.fromCharCode(...b));

function parseBody(bytes: Uint8Array): CheckpointBody {
  let v: Partial<CheckpointBody>;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<CheckpointBody>;
  } catch {
    throw new CheckpointError('malformed');
  }
  if (typeof v.origin !== 'string' || !Number.isSafeInteger(v.treeSize) || typeof v.rootHash !== 'string' || typeof v.time !== 'string') throw new CheckpointError('malformed');
  return v as CheckpointBody;
}

export async function verifyCheckpoint(der: Uint8Array): Promise<VerifiedCheckpoint> {
  let verified;
  try {
    verified = await verifySignedData(der);
  } catch (e) {
    throw e instanceof SignedDataError ? new CheckpointError(REASONS[e.reason]) : e;
  }
  return { body: parseBody(verified.content), sealKey: b64(new Uint8Array(await crypto.subtle.digest('SHA-256', verified.spki.der.slice()))) };
}
