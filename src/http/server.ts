import { constants } from 'node:crypto';
import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** Trust anchors sent as acceptable CA names and used to pre-check client chains. */
  ca: Buffer[];
}

/**
 * HTTPS that asks every client for a certificate but does not abort the handshake without one:
 * the app answers with problem+json instead, which a person can read.
 */
export function createHttpsServer(app: Express, tls: TlsMaterial): Server {
  const server = createServer(
    {
      cert: tls.cert,
      key: tls.key,
      ca: tls.ca,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      // No TLS 1.2 renegotiation: a connection keeps the client certificate it was opened with
      // (client-auth caches it per socket), and renegotiation is a cheap CPU attack.
      secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
    },
    app,
  );
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 300_000;
  trackIdleSockets(server);
  return server;
}

const CLOSE_IDLE = Symbol('art50.closeIdleSockets');
const CLOSING = Symbol('art50.closing');
type Tracked = Server & { [CLOSE_IDLE]?: () => void; [CLOSING]?: boolean };

/**
 * Node's closeIdleConnections() leaves a connection alone until its first request has arrived, so
 * a client that opened TLS and sent nothing would hold a graceful shutdown for its whole grace
 * time. Counting requests in flight per socket lets shutdown close every socket not serving one.
 */
function trackIdleSockets(server: Server): void {
  const inFlight = new Map<Socket, number>();
  server.on('secureConnection', (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once('close', () => inFlight.delete(socket));
  });
  // Wraps the one request listener (the app) rather than adding a second one.
  const [app] = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.once('close', () => {
      if (inFlight.has(socket)) inFlight.set(socket, Math.max(0, (inFlight.get(socket) ?? 1) - 1));
    });
    if ((server as Tracked)[CLOSING]) res.setHeader('Connection', 'close');
    app!(req, res);
  });
  (server as Tracked)[CLOSE_IDLE] = () => {
    for (const [socket, n] of inFlight) if (n === 0) socket.destroy();
  };
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      const a = server.address();
      ok(typeof a === 'object' && a ? a.port : port);
    });
  });
}

/**
 * Stops accepting and closes idle keep-alive connections at once; a connection busy with a request
 * is closed as soon as its response is out (answered with `Connection: close`), and whatever is
 * left after `graceMs` is cut.
 */
export function closeServer(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((ok) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    // A response finishing during shutdown leaves its socket idle: close those as they appear.
    const closeIdle = (): void => {
      server.closeIdleConnections();
      (server as Tracked)[CLOSE_IDLE]?.();
    };
    const sweep = setInterval(closeIdle, 50);
    sweep.unref();
    (server as Tracked)[CLOSING] = true;
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      ok();
    });
    closeIdle();
  });
}
