import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Router } from 'express';
import { Art50Error } from '../../errors';

/** Where `npm run build` writes the console (dist/console), from src/http/routes or dist/http/routes alike. */
export const CONSOLE_DIR = resolve(__dirname, '..', '..', '..', 'dist', 'console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/**
 * The page runs only the gateway's own script; it talks to the gateway and to NCALayer on the
 * person's own machine, and may not be framed, so no other origin can script, restyle or wrap it.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' wss://127.0.0.1:13579",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the built console from memory: only the files the build wrote (read once at start-up),
 * so no path from the URL ever reaches the file system. Open: the page itself holds no data.
 */
export function consoleRoutes(opts: { dir?: string; onMissing?: (dir: string) => void } = {}): Router {
  const dir = opts.dir ?? CONSOLE_DIR;
  const files = new Map<string, { body: Buffer; type: string }>();
  if (existsSync(join(dir, 'index.html'))) {
    for (const name of readdirSync(dir)) {
      const type = TYPES[extname(name)];
      if (type) files.set(name, { body: readFileSync(join(dir, name)), type });
    }
  } else {
    opts.onMissing?.(dir);
  }
  const send = (name: string, res: import('express').Response): void => {
    const f = files.get(name);
    if (!f) throw new Art50Error('http.not_found', name === 'index.html' ? 'the console is not built on this gateway (npm run build)' : `no such console file: ${name.slice(0, 64)}`);
    res.set({ 'Content-Security-Policy': CONSOLE_CSP, 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer', 'Content-Type': f.type }).send(f.body);
  };
  const r = Router();
  r.get('/console', (_req, res) => send('index.html', res));
  // /console/oversight is the oversight page (auditors, prosecutors; docs/console.md, "Oversight"), a page and bundle of its own.
  r.get('/console/:asset', (req, res) => send(req.params.asset === 'oversight' ? 'oversight.html' : String(req.params.asset), res));
  return r;
}
