import { readFileSync } from 'node:fs';
import { isArt50Error } from '../errors';
import { ApiClient, gatewayUrl, isApiError } from './api-client';
import { ClientTrust, loadClientTrust } from './trust';

/** Helpers shared by the police, prosecutor and bank command groups. */

export interface ConnectionOptions {
  gateway?: string;
  ca?: string;
  crl?: string[];
  registry?: string;
}

export const CONNECTION_HELP = {
  gateway: 'gateway URL (default $ART50_GATEWAY or https://localhost:8443)',
  ca: 'trust root PEM: authenticates the gateway and every signer ($ART50_TRUST; --demo for keys.example)',
  crl: 'CRL file(s) ($ART50_CRL)',
  registry: 'participant registry ($ART50_REGISTRY)',
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
  if (!o.ca) throw new UsageError('no trust root for the gateway\'s certificate: give --ca FILE (or ART50_TRUST), or --demo');
  return new ApiClient({ baseUrl: gatewayUrl(o.gateway), cert: tls.cert, key: tls.key, ca: read(o.ca, 'trust root') });
}

/** Trust for verifying documents: every part given explicitly (flags, ART50_*, a profile, or --demo) — never a silent default. */
export function trustFor(o: { ca?: string; crl?: string[]; registry?: string }): ClientTrust {
  if (!o.ca || !o.crl || !o.registry) throw new UsageError('verifying documents needs --ca, --crl and --registry (or ART50_TRUST, ART50_CRL, ART50_REGISTRY, a profile, or --demo)');
  return loadClientTrust({ ca: o.ca, crl: o.crl, registry: o.registry });
}

/** Prints an error for a person and returns the exit code (cli/exit-codes): 1 refused by the gateway, 2 a document that does not verify, 64 usage. */
export function reportError(what: string, e: unknown): number {
  if (isApiError(e)) {
    process.stderr.write(`${what} failed: ${e.describe()}\n`);
    return 1;
  }
  if (isArt50Error(e)) {
    process.stderr.write(`${what} failed: ${e.code}: ${e.detail}${e.field ? ` (field ${e.field})` : ''}\n`);
    // A configuration the person gave (trust file, registry) that cannot be used is a usage error.
    return e.code === 'config.invalid' || e.code === 'config.unreadable' || e.code === 'registry.invalid' ? 64 : 2;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`${what} failed: ${e.message}\n`);
    return 64;
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
