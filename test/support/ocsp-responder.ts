import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface OcspResponder {
  url: string;
  stop(): void;
}

/**
 * A real `openssl ocsp` responder over an `openssl ca` index (index.txt), signing with `signer`.
 * Resolves once it accepts connections (probing with a request would not do: openssl ocsp exits
 * on a request it cannot parse).
 */
export async function startOcspResponder(o: { index: string; ca: string; signer: { cert: string; key: string }; port?: number; args?: string[] }): Promise<OcspResponder> {
  const port = o.port ?? (await freePort());
  const p: ChildProcess = spawn('openssl', [
    'ocsp', '-index', o.index, '-port', String(port), '-CA', o.ca, '-rsigner', o.signer.cert, '-rkey', o.signer.key, ...(o.args ?? []),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const seen = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('waiting for OCSP client connections')) resolve();
    };
    p.stdout?.on('data', seen);
    p.stderr?.on('data', seen);
    p.on('exit', () => reject(new Error(`openssl ocsp exited: ${out}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => p.kill() };
}

/** keys.example's demo CA as its own OCSP responder (its index, signed by the root; answers valid 5 min). */
export function startDemoOcspResponder(keysDir: string): Promise<OcspResponder> {
  return startOcspResponder({
    index: join(keysDir, 'ca/index.txt'), ca: join(keysDir, 'ca/root.pem'),
    signer: { cert: join(keysDir, 'ca/root.pem'), key: join(keysDir, 'ca/root.key') }, args: ['-nmin', '5'],
  });
}
