import { readFileSync } from 'node:fs';
import { isArt50Error } from '../errors';
import { ApiClient, DEFAULT_CA, gatewayUrl, DEFAULT_CRL, DEFAULT_REGISTRY, isApiError } from './api-client';
import { ClientTrust, loadClientTrust } from './documents';

/** Helpers shared by the police, prosecutor and bank command groups. */

export interface ConnectionOptions {
  gateway?: string;
  ca?: string;
  crl?: string[];
  registry?: string;
}

export const CONNECTION_HELP = {
  gateway: 'gateway URL (default $ART50_GATEWAY or https://localhost:8443)',
  ca: `trust root PEM (default ${DEFAULT_CA})`,
  crl: `CRL file(s) (default ${DEFAULT_CRL})`,
  registry: `participant registry (default ${DEFAULT_REGISTRY})`,
};

export class UsageError extends Error {}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new UsageError(`cannot read ${what} ${path}`);
  }
}

/** An API client authenticated with `tls` (PEM certificate and key, e.g. from cli/identity). */
export function connect(o: ConnectionOptions, tls: { cert: Buffer; key: Buffer }): ApiClient {
  return new ApiClient({ baseUrl: gatewayUrl(o.gateway), cert: tls.cert, key: tls.key, ca: read(o.ca ?? DEFAULT_CA, 'trust root') });
}

export function trustFor(o: { ca?: string; crl?: string[]; registry?: string }): ClientTrust {
  return loadClientTrust({ ...(o.ca ? { ca: o.ca } : {}), ...(o.crl ? { crl: o.crl } : {}), ...(o.registry ? { registry: o.registry } : {}) });
}

/** Prints an error for a person and returns the exit code: 1 for API/usage errors, 2 for documents that do not verify. */
export function reportError(what: string, e: unknown): number {
  if (isApiError(e)) {
    process.stderr.write(`${what} failed: ${e.describe()}\n`);
    return 1;
  }
  if (isArt50Error(e)) {
    process.stderr.write(`${what} failed: ${e.code}: ${e.detail}${e.field ? ` (field ${e.field})` : ''}\n`);
    return 2;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`${what} failed: ${e.message}\n`);
    return 1;
  }
  process.stderr.write(`${what} failed: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
}

/** Fixed-width table for the terminal. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
