import { getResponse } from './api';
import { sha256Hex, verifyCms, VerifiedCms } from './cms-verify';
import { unb64 } from './der';
import { decryptAuthEnveloped } from './enveloped';
import { Json, PageError } from './shared';

/**
 * A statement as the investigator's page reads it, in the order of src/statements/unseal.ts:
 * plain → the bank's signature verifies; encrypted → the header verifies, the ciphertext is the
 * one the header names, the body's key opens it, the signed statement inside is the one the header
 * names, the bank's signature verifies, and every field the header states is what the statement
 * says. Any step failing is a refusal with the CLI's code; nothing is shown half-checked.
 */

export interface DecryptionKey { certificate: Uint8Array; key: CryptoKey }

export interface OpenedStatement {
  doc: Json;
  /** The bank-signed CMS (decrypted when it came encrypted): what the .p7s download holds. */
  signed: Uint8Array;
  signer: VerifiedCms;
  encrypted: boolean;
}

export interface FetchedStatement { body: Uint8Array; header?: Uint8Array }

export async function fetchStatement(statementId: string): Promise<FetchedStatement> {
  const res = await getResponse(`/v1/statements/${statementId}`);
  const header = res.headers.get('X-Art50-Statement-Header');
  return { body: new Uint8Array(await res.arrayBuffer()), ...(header ? { header: unb64(header) } : {}) };
}

const mismatch = (field: string): never => {
  throw new PageError('statement.header_mismatch', 'stmt.headerMismatch', field);
};

const counts = (doc: Json): { accounts: number; movements: number } => {
  const accounts = (doc.accounts as Json[] | undefined) ?? [];
  return { accounts: accounts.length, movements: accounts.reduce((n, a) => n + ((a.movements as unknown[] | undefined)?.length ?? 0), 0) };
};

function parse(content: Uint8Array): Json {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content)) as Json;
  } catch {
    throw new PageError('document.not_json', 'stmt.malformed');
  }
}

export async function openStatement(f: FetchedStatement, key?: DecryptionKey): Promise<OpenedStatement> {
  if (!f.header) {
    const signer = await verifyCms(f.body);
    const doc = parse(signer.content);
    if (signer.bin !== (doc.bank as Json | undefined)?.bin) mismatch('/bank');
    return { doc, signed: f.body, signer, encrypted: false };
  }
  const headerCms = await verifyCms(f.header);
  const h = parse(headerCms.content);
  const digests = h.digests as Record<string, string>;
  if ((await sha256Hex(f.body)) !== digests.ciphertext) mismatch('/digests/ciphertext');
  if (!key) throw new PageError('cms.decrypt_failed', 'stmt.needKey');
  const signed = await decryptAuthEnveloped(f.body, key.certificate, key.key);
  if ((await sha256Hex(signed)) !== digests.signedStatement) mismatch('/digests/signedStatement');
  const signer = await verifyCms(signed);
  const doc = parse(signer.content);
  if ((await sha256Hex(signer.content)) !== digests.statement) mismatch('/digests/statement');
  for (const k of ['statementId', 'requestId', 'requestDigest', 'result'] as const) if (doc[k] !== h[k]) mismatch(`/${k}`);
  if ((doc.corrects ?? '') !== (h.corrects ?? '')) mismatch('/corrects');
  const bank = doc.bank as Json;
  const hb = h.bank as Json;
  if (bank.bic !== hb.bic || bank.bin !== hb.bin) mismatch('/bank');
  const c = counts(doc);
  const hc = h.counts as { accounts: number; movements: number };
  if (c.accounts !== hc.accounts || c.movements !== hc.movements) mismatch('/counts');
  if (signer.bin !== headerCms.bin || signer.bin !== bank.bin) mismatch('/bank');
  return { doc, signed, signer, encrypted: true };
}
