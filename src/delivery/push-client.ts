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
 *
 * `timeoutMs` bounds the whole exchange — connect, TLS, upload, the bank's answer to its last
 * byte — not the idle time between bytes: a bank that trickles its answer must not hold a
 * worker slot for longer than that.
 */
export class PushClient {
  constructor(private readonly tls: PushTls, private readonly timeoutMs: number) {}

  push(url: string, bundle: DeliveryBundle): Promise<PushOutcome> {
    const body = Buffer.from(JSON.stringify(bundle), 'utf8');
    return new Promise((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const done = (o: PushOutcome): void => {
        if (!settled) {
          settled = true;
          if (timer) clearTimeout(timer);
          resolve(o);
        }
      };
      let req: ReturnType<typeof httpsRequest>;
      try {
        req = httpsRequest(url, {
          method: 'POST',
          cert: this.tls.cert,
          key: this.tls.key,
          ca: this.tls.ca,
          rejectUnauthorized: true,
          // One connection per push: a socket a bank left in a bad state is never reused.
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'x-art50-delivery-id': bundle.deliveryId },
        });
      } catch (e) {
        done({ ok: false, reason: `bad push URL: ${(e as Error).message}` });
        return;
      }
      timer = setTimeout(() => {
        const reason = `no complete answer within ${this.timeoutMs} ms`;
        done({ ok: false, reason });
        req.destroy(new Error(reason));
      }, this.timeoutMs);
      req.on('response', (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        res.on('end', () => done(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, reason: `bank answered HTTP ${status}` }));
        res.on('error', (e) => done({ ok: false, reason: e.message }));
        res.on('aborted', () => done({ ok: false, reason: 'the bank closed the connection mid-answer' }));
      });
      req.on('error', (e) => done({ ok: false, reason: e.message }));
      req.end(body);
    });
  }
}
