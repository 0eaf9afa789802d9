import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { signCms } from '../cms/sign';
import type { SigningIdentity } from '../cms/types';
import type { RequestDoc } from '../documents/types';
import type { ApiClient, SubmitResult } from './api-client';
import { UsageError } from './cli';

export interface SubmitOutcome extends SubmitResult {
  receiptFile: string;
  signedFile: string;
}

/** Signs the request file's exact bytes, posts it, writes <name>.p7s and <name>.receipt.p7s next to it. */
export async function submitRequestFile(api: ApiClient, identity: SigningIdentity, file: string): Promise<SubmitOutcome> {
  const bytes = readFileSync(file);
  let doc: Partial<RequestDoc>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Partial<RequestDoc>;
  } catch {
    throw new UsageError(`${file} is not JSON`);
  }
  if (doc.type !== 'request') throw new UsageError(`${file} is not a request document (type "${String(doc.type)}")`);
  const der = signCms(bytes, identity);
  const name = basename(file, extname(file));
  const signedFile = join(dirname(file), `${name}.p7s`);
  writeFileSync(signedFile, der);
  const out = await api.submitRequest(der);
  const receiptFile = join(dirname(file), `${name}.receipt.p7s`);
  writeFileSync(receiptFile, Buffer.from(out.receipt, 'base64'));
  return { ...out, receiptFile, signedFile };
}
