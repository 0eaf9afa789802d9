import { Agent, request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../config';
import type { DeliveryBundle } from '../delivery/bundle';

/**
 * A small typed HTTPS client for the art50 API (docs/openapi.yaml), used by the CLI, the reference bank
 * and the tests. node:https only: the client certificate and key authenticate the caller, `ca`
 * (the national trust root) authenticates the gateway. One keep-alive agent per client; call
 * close() when done so no socket keeps the process alive.
 */

export const DEFAULT_GATEWAY = 'https://localhost:8443';
export const DEFAULT_CA = resolve(PACKAGE_ROOT, 'keys.example/ca/root.pem');
export const DEFAULT_CRL = resolve(PACKAGE_ROOT, 'keys.example/ca/crl.pem');
export const DEFAULT_REGISTRY = resolve(PACKAGE_ROOT, 'keys.example/participants.json');

/** --gateway when given, else ART50_GATEWAY, else https://localhost:8443. */
export function gatewayUrl(option?: string, env: Record<string, string | undefined> = process.env): string {
  return option ?? env.ART50_GATEWAY ?? DEFAULT_GATEWAY;
}

export interface ApiClientOptions {
  /** e.g. https://localhost:8443 (a path prefix is kept). */
  baseUrl: string;
  /** Client certificate and key (PEM). */
  cert: Buffer | string;
  key: Buffer | string;
  /** Trust anchors for the gateway's server certificate (PEM). */
  ca: Buffer | string | Array<Buffer | string>;
  /** Per-call timeout; default 30 s. */
  timeoutMs?: number;
  /** Largest answer body accepted; default 256 MB (statements can be large). */
  maxResponseBytes?: number;
}

/** Files instead of bytes: what the CLI has. */
export function apiClientFromFiles(o: { gateway?: string; cert: string; key: string; ca?: string; timeoutMs?: number }): ApiClient {
  return new ApiClient({
    baseUrl: gatewayUrl(o.gateway),
    cert: readFileSync(o.cert),
    key: readFileSync(o.key),
    ca: readFileSync(o.ca ?? DEFAULT_CA),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  });
}

/** An RFC 9457 problem answer (or any other non-2xx answer, or a transport failure: status 0). */
export class ApiError extends Error {
  readonly status: number;
  /** The problem's `code` (e.g. "sanction.digest_mismatch"); "http.<status>" when the body was not problem+json; "client.network" for transport errors. */
  readonly code: string;
  readonly detail: string;
  readonly title?: string;
  readonly field?: string;
  readonly problem?: Record<string, unknown>;

  constructor(status: number, code: string, detail: string, extra: { title?: string; field?: string; problem?: Record<string, unknown>; cause?: unknown } = {}) {
    super(`${status ? `HTTP ${status} ` : ''}${code}: ${detail}`, extra.cause !== undefined ? { cause: extra.cause } : undefined);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    if (extra.title !== undefined) this.title = extra.title;
    if (extra.field !== undefined) this.field = extra.field;
    if (extra.problem !== undefined) this.problem = extra.problem;
  }

  /** One readable line for a person: "403 participant.not_supervising — Prosecutor does not …: detail (field /x)". */
  describe(): string {
    const head = this.status ? `${this.status} ${this.code}` : this.code;
    return `${head}${this.title ? ` — ${this.title}` : ''}: ${this.detail}${this.field ? ` (field ${this.field})` : ''}`;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

// The answer types live in api-types.ts; re-exported because they are part of this client's surface.
export type { ReceiptRef, SubmitResult, SanctionResult, BankStatus, RequestStatusView, DecisionItem, RequestSummaryItem, PendingItem, AckResult, StatementPosted, StatementListItem } from './api-types';
import type { SubmitResult, SanctionResult, RequestStatusView, DecisionItem, RequestSummaryItem, PendingItem, AckResult, StatementPosted, StatementListItem } from './api-types';

const PKCS7 = 'application/pkcs7-mime';

interface RawAnswer {
  status: number;
  type: string;
  body: Buffer;
}

export class ApiClient {
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(opts: ApiClientOptions) {
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    if (this.base.protocol !== 'https:') throw new Error(`the gateway URL must be https:, got ${opts.baseUrl}`);
    this.agent = new Agent({ keepAlive: true, maxSockets: 16, cert: opts.cert, key: opts.key, ca: opts.ca, rejectUnauthorized: true });
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxBytes = opts.maxResponseBytes ?? 256 * 1024 ** 2;
  }

  get baseUrl(): string {
    return this.base.toString().replace(/\/$/, '');
  }

  // --- police -------------------------------------------------------------------------------

  submitRequest(der: Buffer): Promise<SubmitResult> {
    return this.json('POST', 'v1/requests', der);
  }

  /** `includeRequest`: also the request CMS (for its body and its supervising prosecutors). */
  status(requestId: string, opts: { includeRequest?: boolean } = {}): Promise<RequestStatusView> {
    return this.json('GET', `v1/requests/${seg(requestId)}${opts.includeRequest ? '?include=request' : ''}`);
  }

  /** The caller's body's requests, newest first; pass the page's nextCursor for the next one. */
  requests(opts: { limit?: number; cursor?: string } = {}): Promise<{ items: RequestSummaryItem[]; nextCursor?: string }> {
    const q = new URLSearchParams();
    if (opts.limit !== undefined) q.set('limit', String(opts.limit));
    if (opts.cursor !== undefined) q.set('cursor', opts.cursor);
    const qs = q.toString();
    return this.json('GET', `v1/requests${qs ? `?${qs}` : ''}`);
  }

  listStatements(requestId: string): Promise<{ items: StatementListItem[] }> {
    return this.json('GET', `v1/requests/${seg(requestId)}/statements`);
  }

  /** The bank's CMS exactly as it signed it (DER). */
  async fetchStatement(statementId: string): Promise<Buffer> {
    const a = await this.call('GET', `v1/statements/${seg(statementId)}`, undefined, PKCS7);
    return a.body;
  }

  // --- prosecutor ---------------------------------------------------------------------------

  sanction(requestId: string, der: Buffer): Promise<SanctionResult> {
    return this.json('POST', `v1/requests/${seg(requestId)}/sanction`, der);
  }

  pending(limit?: number): Promise<{ items: PendingItem[] }> {
    return this.json('GET', `v1/sanctions/pending${limit !== undefined ? `?limit=${limit}` : ''}`);
  }

  /** The sanctions the caller's office issued, newest first. */
  decisions(limit?: number): Promise<{ items: DecisionItem[] }> {
    return this.json('GET', `v1/sanctions/decided${limit !== undefined ? `?limit=${limit}` : ''}`);
  }

  // --- bank ---------------------------------------------------------------------------------

  inbox(limit?: number): Promise<{ items: DeliveryBundle[] }> {
    return this.json('GET', `v1/inbox${limit !== undefined ? `?limit=${limit}` : ''}`);
  }

  ack(deliveryId: string): Promise<AckResult> {
    return this.json('POST', `v1/inbox/${seg(deliveryId)}/ack`);
  }

  postStatement(der: Buffer): Promise<StatementPosted> {
    return this.json('POST', 'v1/statements', der);
  }

  // --- generic ------------------------------------------------------------------------------

  /** GET any path (e.g. "/v1/log/checkpoint"), parsed as JSON. */
  get<T = unknown>(path: string): Promise<T> {
    return this.json('GET', path.replace(/^\//, ''));
  }

  /** Closes the keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  private async json<T>(method: string, path: string, der?: Buffer): Promise<T> {
    const a = await this.call(method, path, der, 'application/json');
    if (a.body.length === 0) return {} as T;
    try {
      return JSON.parse(a.body.toString('utf8')) as T;
    } catch (e) {
      throw new ApiError(a.status, 'client.bad_answer', `the gateway answered ${method} /${path} with a body that is not JSON`, { cause: e });
    }
  }

  private call(method: string, path: string, der: Buffer | undefined, accept: string): Promise<RawAnswer> {
    const url = new URL(path, this.base);
    return new Promise<RawAnswer>((resolvePromise, reject) => {
      const headers: Record<string, string> = { accept: `${accept}, application/problem+json` };
      if (der !== undefined) {
        headers['content-type'] = PKCS7;
        headers['content-length'] = String(der.length);
      } else if (method !== 'GET') {
        headers['content-length'] = '0';
      }
      const req = httpsRequest(url, { method, agent: this.agent, headers, timeout: this.timeoutMs });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (e) => reject(new ApiError(0, 'client.network', `${method} ${url.href}: ${e.message}`, { cause: e })));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > this.maxBytes) {
            res.destroy(new Error(`answer larger than ${this.maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => reject(new ApiError(0, 'client.network', `${method} ${url.href}: ${e.message}`, { cause: e })));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
          const body = Buffer.concat(chunks);
          if (status >= 200 && status < 300) resolvePromise({ status, type, body });
          else reject(problemError(status, type, body, `${method} /${path}`));
        });
      });
      req.end(der);
    });
  }
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

function problemError(status: number, type: string, body: Buffer, what: string): ApiError {
  let parsed: unknown;
  if (type === 'application/problem+json' || type === 'application/json') {
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
  }
  if (parsed && typeof parsed === 'object') {
    const p = parsed as Record<string, unknown>;
    const str = (k: string): string | undefined => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
    const extra: { title?: string; field?: string; problem: Record<string, unknown> } = { problem: p };
    const title = str('title');
    const field = str('field');
    if (title !== undefined) extra.title = title;
    if (field !== undefined) extra.field = field;
    return new ApiError(status, str('code') ?? `http.${status}`, str('detail') ?? title ?? `${what} failed`, extra);
  }
  const text = body.toString('utf8').slice(0, 200).replace(/\s+/g, ' ').trim();
  return new ApiError(status, `http.${status}`, `${what} failed${text ? `: ${text}` : ''}`);
}
