import { request as httpsRequest } from 'node:https';
import type { DeliveryBundle } from './bundle';

export interface PushTls {
  cert: Buffer;
  key: Buffer;
  /** Trust anchors the bank's server certificate must chain to. */
  ca: Buffer[];
}

export type PushOutcome = { ok: true; status: number } | { ok: false; reason: string };

/**
 * POSTs a delivery bundle to a push-mode bank over HTTPS, presenting the gateway's client
 * certificate and checking the bank's server certificate against the national trust anchors.
 * Only a 2xx counts as the bank's acknowledgment.
 */
export class PushClient {
  constructor(private readonly tls: PushTls, private readonly timeoutMs: number) {}

  push(url: string, bundle: DeliveryBundle): Promise<PushOutcome> {
    const body = Buffer.from(JSON.stringify(bundle), 'utf8');
    return new Promise((resolve) => {
      let settled = false;
      const done = (o: PushOutcome): void => {
        if (!settled) {
          settled = true;
          resolve(o);
        }
      };
      let req;
      try {
        req = httpsRequest(url, {
          method: 'POST',
          cert: this.tls.cert,
          key: this.tls.key,
          ca: this.tls.ca,
          rejectUnauthorized: true,
          timeout: this.timeoutMs,
          headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'x-art50-delivery-id': bundle.deliveryId },
        });
      } catch (e) {
        done({ ok: false, reason: `bad push URL: ${(e as Error).message}` });
        return;
      }
      req.on('response', (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        res.on('end', () => done(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, reason: `bank answered HTTP ${status}` }));
        res.on('error', (e) => done({ ok: false, reason: e.message }));
      });
      req.on('timeout', () => {
        req.destroy(new Error(`no answer within ${this.timeoutMs} ms`));
      });
      req.on('error', (e) => done({ ok: false, reason: e.message }));
      req.end(body);
    });
  }
}
