import { b64, unb64 } from './der';

/**
 * NCALayer, the NCA's signing application on the person's computer, over its WebSocket API
 * (module kz.gov.pki.knca.basics, method sign, CMS with the content attached). NCALayer shows its
 * own key choice and PIN dialog; the page only ever sees the signed CMS.
 */
export const NCALAYER_URL = 'wss://127.0.0.1:13579';
const EKU = { auth: '1.3.6.1.5.5.7.3.2', sign: '1.3.6.1.5.5.7.3.4' };

export class NcaLayerError extends Error {
  constructor(readonly messageKey: 'ncalayer.absent' | 'ncalayer.cancelled' | 'ncalayer.failed', readonly detail = '') {
    super(messageKey);
  }
}

interface SignResponse {
  status?: boolean;
  body?: { result?: string[] | string };
  code?: string;
  message?: string;
}

export function ncalayerSign(data: Uint8Array, key: 'auth' | 'sign', locale: string, url = NCALAYER_URL): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      reject(new NcaLayerError('ncalayer.absent'));
      return;
    }
    let opened = false;
    let done = false;
    const finish = (f: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(connectTimer);
      f();
      ws.close();
    };
    // A missing NCALayer may leave the socket hanging instead of refusing at once.
    const connectTimer = setTimeout(() => finish(() => reject(new NcaLayerError('ncalayer.absent'))), 5000);
    ws.onopen = () => {
      opened = true;
      clearTimeout(connectTimer);
      ws.send(JSON.stringify({
        module: 'kz.gov.pki.knca.basics',
        method: 'sign',
        args: {
          allowedStorages: null,
          format: 'cms',
          data: b64(data),
          signingParams: { decode: true, encapsulate: true, digested: false, tsaProfile: null },
          signerParams: { extKeyUsageOids: [EKU[key]], chain: [] },
          locale,
        },
      }));
    };
    ws.onerror = () => finish(() => reject(new NcaLayerError(opened ? 'ncalayer.failed' : 'ncalayer.absent', 'connection error')));
    ws.onclose = () => finish(() => reject(new NcaLayerError(opened ? 'ncalayer.failed' : 'ncalayer.absent', 'connection closed')));
    ws.onmessage = (ev) => {
      let msg: SignResponse & { result?: unknown };
      try {
        msg = JSON.parse(String(ev.data)) as SignResponse;
      } catch {
        finish(() => reject(new NcaLayerError('ncalayer.failed', 'unreadable answer')));
        return;
      }
      if (msg.result !== undefined && msg.status === undefined) return; // the version greeting
      if (msg.status === false) {
        finish(() => reject(new NcaLayerError('ncalayer.failed', `${msg.message ?? ''} ${msg.code ?? ''}`.trim())));
        return;
      }
      const result = msg.body?.result;
      const first = Array.isArray(result) ? result[0] : result;
      if (!first) {
        finish(() => reject(new NcaLayerError('ncalayer.cancelled')));
        return;
      }
      finish(() => resolve(unb64(first.replace(/\s+/g, ''))));
    };
  });
}
