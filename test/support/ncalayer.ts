import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { signCms } from '../../src/cms/sign';
import type { SigningIdentity } from '../../src/cms/types';
import { loadKeyFile } from '../../src/pki/key-file';
import { KEYS } from './identities';

/** The password of every keys.example PKCS#12 file. */
export const P12_PASSWORD = 'art50-demo';
export const NCALAYER_PORT = 13579;
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface TestNcaLayer {
  /** The keys.example person whose .p12 files "the user picks" in NCALayer's dialog, e.g. "police/investigator-1". */
  use(person: string): void;
  /** The next sign request is answered as if the user pressed Cancel in NCALayer. */
  cancelNext(): void;
  /** How many sign requests arrived, and with which EKU filter. */
  readonly requests: Array<{ eku: string[]; bytes: number }>;
  close(): Promise<void>;
}

function p12Identity(file: string): SigningIdentity {
  const loaded = loadKeyFile(readFileSync(file), file, () => P12_PASSWORD);
  const leaf = loaded.certificates.find((c: X509Certificate) => c.subject !== c.issuer) ?? loaded.certificates[0]!;
  return { cert: leaf, key: loaded.key };
}

/**
 * A stand-in for NCALayer on wss://127.0.0.1:13579 that speaks its WebSocket protocol (greeting
 * with the version; module kz.gov.pki.knca.basics, method sign, format cms; answers
 * {status, body: {result: [base64]}}, an empty body when cancelled, {status: false, code, message}
 * on error) and signs with the keys.example PKCS#12 files: the AUTH key when the page asks for
 * clientAuth, else the SIGN key, with the same CMS code the CLI uses. The page under test talks to
 * it exactly as it talks to the real NCALayer.
 */
export async function startTestNcaLayer(tls: { cert: Buffer; key: Buffer }, port = NCALAYER_PORT): Promise<TestNcaLayer> {
  let person = 'police/investigator-1';
  let cancel = false;
  const requests: TestNcaLayer['requests'] = [];
  const server: Server = createServer({ cert: tls.cert, key: tls.key });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ result: { version: '1.4' } }));
    ws.on('message', (raw) => {
      let msg: { module?: string; method?: string; args?: { format?: string; data?: string; signingParams?: { encapsulate?: boolean }; signerParams?: { extKeyUsageOids?: string[] } } };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        ws.send(JSON.stringify({ status: false, code: '500', message: 'bad JSON' }));
        return;
      }
      if (msg.module !== 'kz.gov.pki.knca.basics' || msg.method !== 'sign' || msg.args?.format !== 'cms' || typeof msg.args.data !== 'string') {
        ws.send(JSON.stringify({ status: false, code: '500', message: `unsupported call ${msg.module}.${msg.method}` }));
        return;
      }
      const eku = msg.args.signerParams?.extKeyUsageOids ?? [];
      const data = Buffer.from(msg.args.data, 'base64');
      requests.push({ eku, bytes: data.length });
      if (cancel) {
        cancel = false;
        ws.send(JSON.stringify({ status: true, body: {} }));
        return;
      }
      if (msg.args.signingParams?.encapsulate === false) {
        ws.send(JSON.stringify({ status: false, code: '500', message: 'this test NCALayer signs attached CMS only' }));
        return;
      }
      const file = join(KEYS, `${person}${eku.includes(EKU_CLIENT_AUTH) ? '' : '.sign'}.p12`);
      const cms = signCms(data, p12Identity(file));
      ws.send(JSON.stringify({ status: true, body: { result: [cms.toString('base64')] } }));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(e.code === 'EADDRINUSE' ? new Error(`127.0.0.1:${port} is in use (a real NCALayer, or another run of these tests): the console tests need NCALayer's port`) : e));
    server.listen(port, '127.0.0.1', () => ok());
  });
  return {
    use: (p) => {
      person = p;
    },
    cancelNext: () => {
      cancel = true;
    },
    requests,
    close: () =>
      new Promise<void>((ok) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
