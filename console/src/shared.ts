import { ApiError } from './api';
import { signAttached } from './cms';
import type { Locale } from './i18n';
import { NcaLayerError, ncalayerSign } from './ncalayer';
import { openPkcs12, SoftwareKeyError } from './software-key';

/** What every view shares: the text function, who is signed in, how documents are signed. */

export type T = (key: string, vars?: Record<string, string | number>) => string;
export type Json = Record<string, unknown>;

export interface Participant {
  name?: string;
  iin?: string;
  position?: string;
  roles: string[];
  organisation: { bin: string; name: string; kind: string };
}
export interface SessionInfo { participant: Participant; csrf?: string; banks: Array<{ bic: string; name: string }> }
export interface SoftKeys { auth?: File; sign?: File; password: string }
export type SignerChoice = { kind: 'ncalayer' } | { kind: 'software'; keys: SoftKeys };

/** Props every signed-in view gets. */
export interface ViewProps { t: T; locale: Locale; session: SessionInfo; choice: SignerChoice }

/** NCALayer or the software key, one interface: the exact bytes in, attached CMS out. */
export async function signWith(choice: SignerChoice, data: Uint8Array, key: 'auth' | 'sign', locale: Locale): Promise<Uint8Array> {
  if (choice.kind === 'ncalayer') return ncalayerSign(data, key, locale);
  const file = key === 'auth' ? choice.keys.auth : choice.keys.sign;
  if (!file || !choice.keys.password) throw new SoftwareKeyError('key.missing');
  const opened = await openPkcs12(new Uint8Array(await file.arrayBuffer()), choice.keys.password);
  return signAttached(data, opened);
}

/** A refusal found in the page itself, named with the code the API or the CLI uses for it. */
export class PageError extends Error {
  constructor(readonly code: string, readonly messageKey: string, readonly field = '') {
    super(code);
  }
}

export function messageOf(e: unknown, t: T): string {
  if (e instanceof ApiError) return t('problem', { detail: e.problem.detail, code: e.problem.code });
  if (e instanceof NcaLayerError) return t(e.messageKey, { message: e.detail });
  if (e instanceof SoftwareKeyError) return t(e.messageKey);
  if (e instanceof PageError) return `${t(e.messageKey)} (${e.code}${e.field ? ` ${e.field}` : ''})`;
  return String(e instanceof Error ? e.message : e);
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function download(name: string, bytes: Uint8Array | string, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([typeof bytes === 'string' ? bytes : bytes.slice()], { type }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
