import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordWebhook } from './contract-recorder';
import { identity, plainRegistryFile, ROOT_PEM } from './identities';

/** A fake bank core system's HTTPS endpoint, answering with whatever `handler` decides. */
export async function startFakeBank(
  bic: string,
  handler: (body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const id = identity(`banks/${bic}`);
  const server = createServer({ cert: id.certPem, key: id.keyPem, ca: ROOT_PEM(), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // What the gateway pushes must be what docs/openapi.yaml says under webhooks.
      recordWebhook('deliveryPush', { method: req.method ?? '', headers: req.headers, body });
      handler(JSON.parse(body.toString('utf8')) as Record<string, unknown>, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `https://127.0.0.1:${port}/art50/deliveries`,
    server,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** A copy of keys.example/participants.json with `bic` switched to push delivery at `url`. */
export function registryWithPush(bic: string, url: string): string {
  // The test gateway's default registry (plain statements), with one bank switched to push.
  const reg = JSON.parse(readFileSync(plainRegistryFile(), 'utf8')) as { organisations: Array<Record<string, unknown>> };
  for (const o of reg.organisations) if (o.bic === bic) o.delivery = { mode: 'push', url };
  const dir = mkdtempSync(join(tmpdir(), 'art50-reg-'));
  const file = join(dir, 'participants.json');
  writeFileSync(file, JSON.stringify(reg));
  return file;
}
