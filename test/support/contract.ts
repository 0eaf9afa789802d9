import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { createAjv, SCHEMA_DIR } from '../../src/documents/ajv';

/**
 * docs/openapi.yaml as an executable contract: given one HTTP exchange of the gateway (method,
 * URL, status, headers, body), lists every way the response departs from the spec. Schemas are
 * compiled by Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) straight from the spec's own
 * `$ref`s, lazily and once per Contract.
 *
 * What is checked, per response:
 * - the operation: the path matches a spec path template and the method is one of its operations;
 *   otherwise the answer must be one of `x-art50-unrouted` (404 for an unknown path, 405 for a
 *   method a path does not have);
 * - the response object: the exact status, else its range (`4XX`), else `default`;
 * - every header the response object names (required ones present, present ones valid);
 * - the Content-Type is one of the response's media types, and the body matches its schema;
 * - for problem+json: the `code` is one the operation lists in `x-art50-problem-codes`, the body's
 *   `status` is the HTTP status and `type` is `urn:art50:problem:{code}` (RFC 9457).
 */

export const SPEC_PATH = resolve(__dirname, '..', '..', 'docs', 'openapi.yaml');
/** Base URI of the spec, so its relative `../schemas/x.schema.json` refs resolve to the schemas' own `$id`s. */
const SPEC_URI = 'https://art50.kz/docs/openapi.yaml';
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

export interface Exchange {
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  status: number;
  /** Lower-case header names, as Node's res.getHeaders() gives them. */
  headers: Record<string, string | string[] | number | undefined>;
  /** The body bytes; undefined when the recorder did not keep them (large binary bodies). */
  body: Buffer | undefined;
  bodyLength: number;
}

export interface Verdict {
  /** "GET /v1/requests/{requestId}", or "unrouted" for answers outside `paths`. */
  operation: string;
  errors: string[];
}

type Json = Record<string, unknown>;
interface HeaderObject { required?: boolean; schema?: Json; $ref?: string }
interface MediaObject { schema?: Json }
interface ResponseObject { $ref?: string; description?: string; headers?: Record<string, HeaderObject>; content?: Record<string, MediaObject> }
interface OperationObject { operationId?: string; responses?: Record<string, ResponseObject>; 'x-art50-problem-codes'?: string[] }
export interface OpenApiSpec {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: Json & { responses?: Record<string, ResponseObject> };
  webhooks?: Record<string, Record<string, unknown>>;
  'x-art50-unrouted'?: { 'x-art50-problem-codes'?: string[]; responses?: Record<string, ResponseObject> };
}

interface Route {
  template: string;
  re: RegExp;
  ops: Map<string, { pointer: string; op: OperationObject }>;
}

const PROBLEM_MEDIA = 'application/problem+json';

export function loadSpec(path = SPEC_PATH): OpenApiSpec {
  return parse(readFileSync(path, 'utf8')) as OpenApiSpec;
}

/** JSON pointer escaping (RFC 6901). */
const esc = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

function mediaOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function isJsonMedia(media: string): boolean {
  return media === 'application/json' || media.endsWith('+json');
}

/**
 * In JSON Schema 2020-12 `contentSchema` is an annotation only. The spec uses it for strings that
 * carry JSON (the log entries); the contract checks those too, under a keyword of its own.
 */
const JSON_CONTENT = 'x-contract-json-content';

function withJsonContentAsserted<T>(node: T): T {
  if (Array.isArray(node)) return node.map((n) => withJsonContentAsserted(n)) as T;
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  const o = node as Json;
  for (const [k, v] of Object.entries(o)) {
    const asserted = k === 'contentSchema' && o.contentMediaType === 'application/json';
    out[asserted ? JSON_CONTENT : k] = withJsonContentAsserted(v);
  }
  return out as T;
}

export class Contract {
  private readonly ajv = createAjv();
  private readonly routes: Route[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly spec: OpenApiSpec) {
    // Ajv compiles the root of a document it resolves a `$ref` into; the OpenAPI fields of the root
    // are not JSON Schema, so they are declared as annotations (strict mode stays on for the schemas).
    this.ajv.addVocabulary(Object.keys(spec).filter((k) => !['$schema', '$id', '$defs'].includes(k)));
    this.ajv.addKeyword({
      keyword: JSON_CONTENT,
      type: 'string',
      errors: false,
      compile: (sub: Json, _parent, it) => {
        const ref = typeof sub.$ref === 'string' ? new URL(sub.$ref, it?.baseId ?? SPEC_URI).href : undefined;
        const v = this.ajv.compile(ref ? { $ref: ref } : sub);
        return (data: string): boolean => {
          try {
            return v(JSON.parse(data));
          } catch {
            return false;
          }
        };
      },
    });
    this.ajv.addSchema(withJsonContentAsserted(spec) as unknown as Json, SPEC_URI);
    for (const name of ['log-entry', 'request', 'sanction', 'statement']) {
      this.ajv.addSchema(JSON.parse(readFileSync(resolve(SCHEMA_DIR, `${name}.schema.json`), 'utf8')) as Json);
    }
    this.routes = Object.entries(spec.paths).map(([template, item]) => {
      const pattern = template.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+');
      const ops = new Map<string, { pointer: string; op: OperationObject }>();
      for (const m of METHODS) {
        const op = item[m] as OperationObject | undefined;
        if (op) ops.set(m.toUpperCase(), { pointer: `#/paths/${esc(template)}/${m}`, op });
      }
      // Express routes are case-insensitive and take an optional trailing slash.
      return { template, re: new RegExp(`^${pattern}/?$`, 'i'), ops };
    });
  }

  static fromFile(path = SPEC_PATH): Contract {
    return new Contract(loadSpec(path));
  }

  /** Every documented operation, as "METHOD /path". */
  operations(): string[] {
    return this.routes.flatMap((r) => [...r.ops.keys()].map((m) => `${m} ${r.template}`));
  }

  check(ex: Exchange): Verdict {
    const path = ex.url.split('?')[0]!;
    const route = this.routes.find((r) => r.re.test(path));
    const method = ex.method.toUpperCase();
    // Node answers HEAD like GET without a body.
    const found = route?.ops.get(method) ?? (method === 'HEAD' ? route?.ops.get('GET') : undefined);
    if (!route || !found) return { operation: 'unrouted', errors: this.checkUnrouted(ex, route !== undefined) };
    const operation = `${method} ${route.template}`;
    const errors = this.checkResponse(ex, found.pointer, found.op.responses ?? {}, found.op['x-art50-problem-codes'] ?? [], method === 'HEAD');
    return { operation, errors };
  }

  private checkUnrouted(ex: Exchange, pathKnown: boolean): string[] {
    const u = this.spec['x-art50-unrouted'];
    if (!u?.responses) return [`${ex.method} ${ex.url}: no operation in the spec, and the spec has no x-art50-unrouted answers`];
    const errors = this.checkResponse(ex, '#/x-art50-unrouted', u.responses, u['x-art50-problem-codes'] ?? [], ex.method.toUpperCase() === 'HEAD');
    // An unknown path is 404; a known path with a method it does not have is 405 (RFC 9110 15.5.6).
    if (ex.status === 404 && pathKnown) errors.push(`${ex.method} ${ex.url}: 404 for a path the spec has (a method it lacks is 405)`);
    if (ex.status === 405 && !pathKnown) errors.push(`${ex.method} ${ex.url}: 405 for a path the spec does not have`);
    return errors;
  }

  private checkResponse(ex: Exchange, pointer: string, responses: Record<string, ResponseObject>, codes: string[], head: boolean): string[] {
    const at = `${ex.method} ${ex.url} → ${ex.status}`;
    const key = [String(ex.status), `${String(ex.status)[0]}XX`, 'default'].find((k) => responses[k] !== undefined);
    if (!key) return [`${at}: status not documented`];
    const { response, pointer: rp } = this.deref(responses[key]!, `${pointer}/responses/${esc(key)}`);
    const errors: string[] = [];

    for (const [name, h] of Object.entries(response.headers ?? {})) {
      if (name.toLowerCase() === 'content-type') continue;
      const value = ex.headers[name.toLowerCase()];
      if (value === undefined) {
        if (h.required) errors.push(`${at}: required header ${name} is missing`);
        continue;
      }
      if (h.schema) {
        const v = this.validator(`${rp}/headers/${esc(name)}/schema`);
        if (!v(String(value))) errors.push(`${at}: header ${name}=${String(value)} ${this.ajv.errorsText(v.errors)}`);
      }
    }

    const content = response.content ?? {};
    const media = mediaOf(ex.headers['content-type'] as string | undefined);
    if (Object.keys(content).length === 0) {
      if (ex.bodyLength > 0) errors.push(`${at}: the spec describes no body, the gateway sent ${ex.bodyLength} bytes`);
      return errors;
    }
    const mediaKey = Object.keys(content).find((k) => k === media || (k.endsWith('/*') && media.startsWith(k.slice(0, -1))));
    if (!mediaKey) {
      errors.push(`${at}: Content-Type ${media || '(none)'} is not one of ${Object.keys(content).join(', ')}`);
      return errors;
    }
    if (head) return errors;
    if (ex.bodyLength === 0) {
      errors.push(`${at}: empty body, the spec describes ${mediaKey}`);
      return errors;
    }
    if (!content[mediaKey]!.schema || ex.body === undefined) return errors;
    let body: unknown;
    if (isJsonMedia(media)) {
      try {
        body = JSON.parse(ex.body.toString('utf8'));
      } catch {
        errors.push(`${at}: body is not JSON`);
        return errors;
      }
    } else {
      body = ex.body.toString(media.startsWith('text/') ? 'utf8' : 'latin1');
    }
    const validate = this.validator(`${rp}/content/${esc(mediaKey)}/schema`);
    if (!validate(body)) errors.push(`${at}: body ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
    if (media === PROBLEM_MEDIA && typeof body === 'object' && body !== null) {
      const p = body as { code?: unknown; status?: unknown; type?: unknown };
      if (typeof p.code === 'string' && !codes.includes(p.code)) errors.push(`${at}: problem code ${p.code} is not in the operation's x-art50-problem-codes`);
      if (p.status !== ex.status) errors.push(`${at}: problem status ${String(p.status)} is not the HTTP status`);
      if (p.type !== `urn:art50:problem:${String(p.code)}`) errors.push(`${at}: problem type ${String(p.type)} does not name its code`);
    }
    return errors;
  }

  /** Follows a response `$ref` (OpenAPI, not JSON Schema) to components/responses. */
  private deref(r: ResponseObject, pointer: string): { response: ResponseObject; pointer: string } {
    if (!r.$ref) return { response: r, pointer };
    const m = /^#\/components\/responses\/([^/]+)$/.exec(r.$ref);
    const target = m ? this.spec.components.responses?.[m[1]!] : undefined;
    if (!m || !target) throw new Error(`unsupported response $ref ${r.$ref} at ${pointer}`);
    return this.deref(target, `#/components/responses/${m[1]}`);
  }

  private validator(pointer: string): ValidateFunction {
    let v = this.compiled.get(pointer);
    if (!v) {
      v = this.ajv.compile({ $ref: `${SPEC_URI}${pointer}` });
      this.compiled.set(pointer, v);
    }
    return v;
  }

  /**
   * A request the gateway sends to a participant (a `webhooks` entry, e.g. the push of a delivery
   * to a bank): method, Content-Type, the header parameters and the body against the spec.
   */
  checkWebhook(name: string, req: { method: string; headers: Record<string, string | string[] | undefined>; body: Buffer }): string[] {
    const at = `webhook ${name}`;
    const item = this.spec.webhooks?.[name];
    if (!item) return [`${at}: not in the spec's webhooks`];
    const method = req.method.toLowerCase();
    const op = item[method] as { parameters?: Array<{ name: string; in: string; required?: boolean }>; requestBody?: { content?: Record<string, unknown> } } | undefined;
    if (!op) return [`${at}: the spec has no ${req.method} for it`];
    const pointer = `#/webhooks/${esc(name)}/${method}`;
    const errors: string[] = [];
    (op.parameters ?? []).forEach((p, i) => {
      if (p.in !== 'header') return;
      const value = req.headers[p.name.toLowerCase()];
      if (value === undefined) {
        if (p.required) errors.push(`${at}: required header ${p.name} is missing`);
        return;
      }
      const v = this.validator(`${pointer}/parameters/${i}/schema`);
      if (!v(String(value))) errors.push(`${at}: header ${p.name}=${String(value)} ${this.ajv.errorsText(v.errors)}`);
    });
    const media = mediaOf(req.headers['content-type'] as string | undefined);
    if (!op.requestBody?.content?.[media]) return [...errors, `${at}: Content-Type ${media || '(none)'} is not one of ${Object.keys(op.requestBody?.content ?? {}).join(', ')}`];
    let body: unknown;
    try {
      body = isJsonMedia(media) ? JSON.parse(req.body.toString('utf8')) : req.body.toString('latin1');
    } catch {
      return [...errors, `${at}: body is not JSON`];
    }
    const v = this.validator(`${pointer}/requestBody/content/${esc(media)}/schema`);
    if (!v(body)) errors.push(`${at}: body ${this.ajv.errorsText(v.errors, { dataVar: 'body' })}`);
    return errors;
  }
}
