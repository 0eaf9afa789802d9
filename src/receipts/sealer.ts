import { cmsSigner } from '../cms/sign';
import type { SigningIdentity } from '../cms/types';
import { canonicalJson } from '../log/entry';

/** Fields every receipt carries; event-specific fields are added by the caller. */
export interface ReceiptBody {
  event: string;
  /** Index of the log entry that records the event: proves the gateway logged it. */
  logIndex: number;
  time: string;
  [field: string]: string | number | boolean | null | Record<string, string> | undefined;
}

/**
 * The gateway seal: receipts are CMS SignedData over canonical JSON, signed with the seal key
 * (ECDSA P-256 by default: receipts are the hottest signing path). Anyone verifies them with
 * `openssl cms -verify` against the national root.
 */
export class Sealer {
  private readonly sign: (content: Buffer) => Buffer;

  constructor(identity: SigningIdentity) {
    // Algorithm, signer id and certificates encoded once, not per receipt.
    this.sign = cmsSigner(identity);
  }

  seal(body: ReceiptBody): Buffer {
    const clean = Object.fromEntries(Object.entries({ type: 'receipt', version: 1, ...body }).filter(([, v]) => v !== undefined));
    return this.sign(Buffer.from(canonicalJson(clean), 'utf8'));
  }

  /** Signs arbitrary bytes (log checkpoints). */
  sealBytes(content: Buffer): Buffer {
    return this.sign(content);
  }
}
