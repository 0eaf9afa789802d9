import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Router } from 'express';
import { parse } from 'yaml';
import { Art50Error } from '../../errors';

/** docs/openapi.yaml, from the source tree or from dist/ (both sit two or three levels below the root). */
export const OPENAPI_PATH = resolve(__dirname, '..', '..', '..', 'docs', 'openapi.yaml');

/** Parses the OpenAPI document (YAML is the source; nothing is generated from code). */
export function loadOpenApi(path: string = OPENAPI_PATH): Record<string, unknown> {
  const doc = parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof doc !== 'object' || doc === null || !('openapi' in doc)) throw new Error(`${path} is not an OpenAPI document`);
  return doc as Record<string, unknown>;
}

/**
 * GET /v1/openapi.json — open (no client certificate): the API description is documentation,
 * holds no data, and a client needs it before it has been registered. Converted once at startup.
 * If docs/openapi.yaml is not installed (an image without docs/), the route answers 404 and
 * `onMissing` is told once; the gateway itself still starts.
 */
export function openApiRoutes(opts: { path?: string; onMissing?: (e: Error) => void } = {}): Router {
  let body: string | undefined;
  try {
    body = JSON.stringify(loadOpenApi(opts.path));
  } catch (e) {
    opts.onMissing?.(e instanceof Error ? e : new Error(String(e)));
  }
  const r = Router();
  r.get('/v1/openapi.json', (_req, res) => {
    if (body === undefined) throw new Art50Error('http.not_found', 'the OpenAPI document is not installed with this gateway');
    res.status(200).type('application/json').send(body);
  });
  return r;
}
