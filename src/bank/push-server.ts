import { X509Certificate } from 'node:crypto';
import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ClientTrust } from '../client/trust';
import type { DeliveryBundle } from '../delivery/bundle';
import { isArt50Error } from '../errors';
import { DeliveryRejected, type VerifiedDelivery } from './delivery-check';
import type { HandleOutcome, ReferenceBank } from './reference-bank';

/**
 * The reference bank's push endpoint: a small HTTPS server the gateway POSTs delivery bundles to
 * (docs/cli.md, `art50 bank serve`).
 */

export interface PushServerOptions {
  bank: ReferenceBank;
  /** Server certificate and key (PEM): the bank system certificate. */
  cert: Buffer | string;
  key: Buffer | string;
  /** Trust root(s) (PEM) client certificates must chain to. */
  ca: Buffer | string;
  trust: ClientTrust;
  port?: number;
  host?: string;
  /** Default /art50/deliveries. */
  path?: string;
  maxBodyBytes?: number;
  log?: (line: string) => void;
  /** Each pushed delivery's outcome as data: rejected at once, or once answered (`art50 bank serve --json`). */
  onOutcome?: (outcome: HandleOutcome) => void;
}

export interface PushServer {
  port: number;
  /** Stops accepting, then waits until every queued delivery is answered. */
  close(): Promise<void>;
  /** Resolves when every queued delivery so far is answered (tests). */
  idle(): Promise<void>;
}

function problem(res: ServerResponse, status: number, code: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: `urn:art50:problem:${code}`, title: code, status, code, detail }));
}

/**
 * The bank's push endpoint. TLS demands a client certificate chaining to `ca`; the handler then
 * validates it with CRLs (purpose tls-client) and accepts only the gateway's organisation (registry
 * kind "gateway"). A bundle is verified before the 202, then queued; the statement follows
 * asynchronously through POST /v1/statements.
 */
export async function startPushServer(o: PushServerOptions): Promise<PushServer> {
  const path = o.path ?? '/art50/deliveries';
  const log = o.log ?? (() => undefined);
  const limit = o.maxBodyBytes ?? 16 * 1024 ** 2;
  let queue: Promise<unknown> = Promise.resolve();
  const server: Server = createServer({ cert: o.cert, key: o.key, ca: o.ca, requestCert: true, rejectUnauthorized: true }, (req: IncomingMessage, res: ServerResponse) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate?.(true);
    try {
      if (!peer?.raw) throw new Error('no client certificate');
      const cert = new X509Certificate(peer.raw);
      const issuers = peer.issuerCertificate && peer.issuerCertificate !== peer ? [new X509Certificate(peer.issuerCertificate.raw)] : [];
      const checked = o.trust.validator.validate(cert, { purpose: 'tls-client', intermediates: issuers });
      const who = o.trust.registry.identify({ ...(checked.subject.bin ? { bin: checked.subject.bin } : {}) });
      if (who?.organisation.kind !== 'gateway') {
        problem(res, 403, 'auth.forbidden', 'only the art50 gateway may push deliveries here');
        req.resume();
        return;
      }
    } catch (e) {
      problem(res, 403, 'auth.client_cert_untrusted', `client certificate refused: ${isArt50Error(e) ? e.detail : (e as Error).message}`);
      req.resume();
      return;
    }
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== path) {
      problem(res, 404, 'http.not_found', `POST ${path} only`);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) return problem(res, 413, 'http.body_too_large', `the body is larger than ${limit} bytes`);
      let bundle: DeliveryBundle;
      try {
        bundle = JSON.parse(Buffer.concat(chunks).toString('utf8')) as DeliveryBundle;
      } catch {
        return problem(res, 400, 'http.bad_json', 'the body is not JSON');
      }
      let v: VerifiedDelivery;
      try {
        v = o.bank.verify(bundle);
      } catch (e) {
        if (e instanceof DeliveryRejected) {
          log(`push REJECTED ${String(bundle?.deliveryId)}: ${e.code}: ${e.detail}`);
          o.onOutcome?.({ deliveryId: String(bundle?.deliveryId), requestId: String(bundle?.requestId), outcome: 'rejected', code: e.code, detail: e.detail });
          return problem(res, 422, e.code, e.detail);
        }
        log(`push failed: ${(e as Error).message}`);
        return problem(res, 500, 'http.internal', 'the bank could not take the delivery');
      }
      queue = queue.then(() => o.bank.answerVerified(v, { ack: false })).then((outcome) => o.onOutcome?.(outcome)).catch((e: unknown) => log(`answering ${v.bundle.deliveryId} failed: ${(e as Error).message}`));
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ deliveryId: v.bundle.deliveryId, accepted: true }));
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const idle = async (): Promise<void> => {
    let before: Promise<unknown>;
    do {
      before = queue;
      await before;
    } while (before !== queue);
  };
  return {
    port,
    idle,
    close: async () => {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeIdleConnections?.();
      });
      await idle();
    },
  };
}
