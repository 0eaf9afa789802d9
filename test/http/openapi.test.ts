import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { CATALOG } from '../../src/errors/catalog';
import { startTestGateway, TestGateway } from '../support/gateway';

interface Layer {
  name?: string;
  slash?: boolean;
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every "METHOD /path" the Express 5 app registers, nested Routers included, as OpenAPI paths. */
function registeredRoutes(stack: Layer[], prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      }
    } else if (layer.name === 'router' && layer.handle?.stack) {
      const mount = layer.slash || typeof layer.rawPath !== 'string' ? '' : layer.rawPath;
      out.push(...registeredRoutes(layer.handle.stack, prefix + mount));
    }
  }
  return out.map((r) => r.replace(/:(\w+)/g, '{$1}')).sort();
}

type Operation = { 'x-art50-roles'?: unknown; 'x-art50-problem-codes'?: unknown; security?: unknown; description?: string; responses?: Record<string, unknown> };
type Spec = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, { type: string }>; schemas: { Problem: { properties: { code: { enum: string[] } } } } } };

const spec = parse(readFileSync(resolve(__dirname, '..', '..', 'docs', 'openapi.yaml'), 'utf8')) as Spec;
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([m, op]) => ({ key: `${m.toUpperCase()} ${path}`, op })));

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({}, { workers: false });
});
afterAll(async () => {
  await t.stop();
});

describe('docs/openapi.yaml', () => {
  it('parses as OpenAPI 3.1 with a mutualTLS security scheme', () => {
    expect(spec.openapi).toMatch(/^3\.1\./);
    expect(spec.components.securitySchemes.mtls?.type).toBe('mutualTLS');
  });

  it('describes exactly the routes the app registers', () => {
    const app = registeredRoutes((t.gw.app as unknown as { router: { stack: Layer[] } }).router.stack);
    expect(app.length).toBeGreaterThan(15);
    expect(operations.map((o) => o.key).sort()).toEqual(app);
  });

  it('gives every operation its roles, responses and problem codes from the catalogue', () => {
    const catalogue = new Set(Object.keys(CATALOG));
    for (const { key, op } of operations) {
      expect([key, Array.isArray(op['x-art50-roles']) && (op['x-art50-roles'] as unknown[]).length > 0]).toEqual([key, true]);
      expect([key, typeof op.description]).toEqual([key, 'string']);
      const codes = op['x-art50-problem-codes'] as string[];
      expect([key, Array.isArray(codes) && codes.length > 0]).toEqual([key, true]);
      expect([key, codes.filter((c) => !catalogue.has(c))]).toEqual([key, []]);
      expect(Object.keys(op.responses ?? {}).some((s) => s.startsWith('2'))).toBe(true);
    }
    const startupOnly = ['config.invalid', 'config.unreadable', 'registry.invalid'];
    expect([...spec.components.schemas.Problem.properties.code.enum].sort()).toEqual([...catalogue].filter((c) => !startupOnly.includes(c)).sort());
  });

  it('gives every operation that can answer 401 or 503 the response object that names its header', () => {
    const named: Record<string, string> = { '401': '#/components/responses/Unauthenticated', '503': '#/components/responses/Unavailable' };
    for (const { key, op } of operations) {
      const statuses = new Set((op['x-art50-problem-codes'] as Array<keyof typeof CATALOG>).map((c) => String(CATALOG[c]?.status)));
      for (const [status, ref] of Object.entries(named)) {
        const response = (op.responses ?? {})[status] as { $ref?: string } | undefined;
        expect([key, status, statuses.has(status) ? response?.$ref : 'not answered']).toEqual([key, status, statuses.has(status) ? ref : 'not answered']);
      }
    }
  });

  it('links the document schemas that exist in schemas/', () => {
    const text = readFileSync(resolve(__dirname, '..', '..', 'docs', 'openapi.yaml'), 'utf8');
    const refs = [...text.matchAll(/\$ref: '\.\.\/(schemas\/[\w.-]+)'/g)].map((m) => m[1]!);
    expect(new Set(refs)).toEqual(new Set(['schemas/request.schema.json', 'schemas/sanction.schema.json', 'schemas/statement.schema.json', 'schemas/log-entry.schema.json']));
    for (const r of refs) expect(() => readFileSync(resolve(__dirname, '..', '..', r))).not.toThrow();
  });

  it('is served as JSON at /v1/openapi.json without a client certificate', async () => {
    const res = await t.as().get('/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(spec)));
  });
});
