import { constants } from 'node:crypto';
import { createServer, Server } from 'node:https';
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
  return server;
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
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    sweep.unref();
    server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      ok();
    });
    server.closeIdleConnections();
  });
}
