/**
 * The bare ceiling of the intake benchmark: an Express 5 HTTPS server with the gateway's TLS key,
 * client certificates required and checked against the same trust anchor, that reads each posted
 * body in full (raw-body, as the gateway does) and answers the status the gateway would (202 for
 * a request, 201 for a sanction) with a small JSON body — and does nothing else. What the same
 * load client gets from it is what HTTP, TLS and Express cost on this machine.
 *
 * Run as a child process: `node dist/bench/bare-server.js <processes>`; with more than one
 * process it uses node:cluster like `art50 serve`. It sends {port, pids} over IPC once every
 * process listens, and exits on SIGTERM.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { join } from 'node:path';
import express from 'express';
import getRawBody from 'raw-body';
import { PACKAGE_ROOT } from '../config';

function bareApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const read = async (req: express.Request): Promise<Buffer> => getRawBody(req, { limit: 1024 * 1024 });
  app.post('/v1/requests', async (req, res) => {
    const body = await read(req);
    res.status(202).json({ status: 'awaiting_sanction', bytes: body.length });
  });
  app.post('/v1/requests/:requestId/sanction', async (req, res) => {
    const body = await read(req);
    res.status(201).json({ status: 'sanctioned', requestId: req.params.requestId, bytes: body.length });
  });
  return app;
}

function listenBare(): Promise<Server> {
  const keys = join(PACKAGE_ROOT, 'keys.example');
  const server = createServer({
    cert: readFileSync(join(keys, 'gateway', 'tls.pem')),
    key: readFileSync(join(keys, 'gateway', 'tls.key')),
    ca: readFileSync(join(keys, 'ca', 'root.pem')),
    requestCert: true,
    rejectUnauthorized: true,
  }, bareApp());
  server.keepAliveTimeout = 65_000;
  const port = Number(process.env.BARE_PORT ?? 0);
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

async function main(): Promise<void> {
  const processes = Number(process.argv[2] ?? 1);
  if (processes > 1 && cluster.isPrimary) {
    const pids: number[] = [];
    cluster.on('listening', (w, address) => {
      pids.push(w.process.pid!);
      if (pids.length === processes) process.send?.({ port: address.port, pids });
    });
    for (let i = 0; i < processes; i++) cluster.fork();
    process.once('SIGTERM', () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      cluster.on('exit', () => {
        if (Object.values(cluster.workers ?? {}).every((w) => !w || w.isDead())) process.exit(0);
      });
    });
    return;
  }
  const server = await listenBare();
  const addr = server.address();
  if (!cluster.isWorker) process.send?.({ port: typeof addr === 'object' && addr ? addr.port : 0 });
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bare server failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
