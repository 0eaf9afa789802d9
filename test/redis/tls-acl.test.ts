import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../../src/redis/embedded';
import { makeStatement, delivered } from '../statements/helpers';
import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, sanctionedRequest, waitFor } from '../support/flow';
import { sign } from '../support/identities';
import { auditVerified } from '../support/fault';
import { RedisProcess, startRedisNode, tempDir } from '../support/redis-ha';

/**
 * Issue 21.3: Redis reached over TLS only (rediss://, a CA file, a client certificate, the server
 * asking for it) as the ACL user whose `ACL SETUSER` line docs/operations.md documents — read from
 * that file, so the documented line is the one proven sufficient: the whole flow runs through it
 * and Redis's ACL LOG has no denial at the end.
 */
const PASSWORD = 'acl-test-password';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, with stock OpenSSL. */
function makeCertificates(dir: string): { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string } {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=art50 test Redis CA'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [['server', '127.0.0.1'], ['client', 'art50 gateway']] as const) {
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir);
  }
  const p = (f: string): string => join(dir, f);
  return { ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key') };
}

/** The `ACL SETUSER` line of docs/operations.md, for namespace `ns`, as command arguments. */
function documentedAclLine(ns: string): string[] {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');
  const line = /^ACL SETUSER art50 .*$/m.exec(doc)?.[0];
  if (!line) throw new Error('docs/operations.md has no ACL SETUSER art50 line');
  return line.replace(/\{art50\}/g, `{${ns}}`).replace(/\{art50-bull\}/g, `{${ns}-bull}`).replace('>CHANGE-ME', `>${PASSWORD}`).split(/\s+/).slice(1);
}

describe('Redis over TLS as the documented ACL user', () => {
  const dir = tempDir('art50-redis-tls-');
  const certs = makeCertificates(dir);
  const ns = `tls${Date.now().toString(36)}`;
  let server: RedisProcess;
  let port: number;
  let t: TestGateway;
  const tls = { ca: readFileSync(certs.ca), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) };
  const admin = (): Redis => new Redis({ host: '127.0.0.1', port, tls, maxRetriesPerRequest: 1 });
  const asGateway = (): Redis => new Redis({ host: '127.0.0.1', port, tls, username: 'art50', password: PASSWORD, maxRetriesPerRequest: 1 });

  beforeAll(async () => {
    port = await freePort();
    server = await startRedisNode({
      dir: join(dir, 'redis'), port,
      args: ['--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.serverCert, '--tls-key-file', certs.serverKey, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'yes'],
    });
    await waitFor(async () => {
      const r = admin();
      r.on('error', () => undefined);
      try {
        return (await r.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        r.disconnect();
      }
    }, 'redis-server with TLS');
    const r = admin();
    try {
      expect(await r.call('ACL', ...documentedAclLine(ns))).toBe('OK');
    } finally {
      r.disconnect();
    }
    t = await startTestGateway({
      REDIS_URL: `rediss://127.0.0.1:${port}`,
      ART50_REDIS_TLS_CA: certs.ca, ART50_REDIS_TLS_CERT: certs.clientCert, ART50_REDIS_TLS_KEY: certs.clientKey,
      ART50_REDIS_USERNAME: 'art50', ART50_REDIS_PASSWORD: PASSWORD,
      ART50_NAMESPACE: ns, ART50_CHECKPOINT_INTERVAL_MS: '100',
    });
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await server?.stop();
  });

  it('refuses a client without a certificate, and the user outside its keys and commands', async () => {
    const bare = new Redis({ host: '127.0.0.1', port, tls: { ca: tls.ca }, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    bare.on('error', () => undefined);
    await expect(bare.connect().then(() => bare.ping())).rejects.toThrow();
    bare.disconnect();
    const r = asGateway();
    try {
      await expect(r.get('{other}:x')).rejects.toThrow(/NOPERM/);
      await expect(r.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
      await expect(r.call('CONFIG', 'SET', 'appendonly', 'no')).rejects.toThrow(/NOPERM/);
      await expect(r.call('KEYS', '*')).rejects.toThrow(/NOPERM/);
    } finally {
      r.disconnect();
    }
    const a = admin();
    await a.call('ACL', 'LOG', 'RESET');
    a.disconnect();
  });

  it('runs requests, sanctions, deliveries, acknowledgements, statements and the log through it', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const item = await delivered(t, 'ALFAKZKA', doc.requestId);
    expect((await t.as('banks/ALFAKZKA').post(`/v1/inbox/${item.deliveryId}/ack`)).status).toBe(200);
    const posted = await t.as('banks/ALFAKZKA').post('/v1/statements', sign(makeStatement(doc, digest, 'ALFAKZKA', {}, []), 'banks/ALFAKZKA'));
    expect(posted.status).toBe(201);
    const download = await t.as(INV).get(`/v1/statements/${String(posted.body.statementId)}`);
    expect(download.status).toBe(200);
    const status = await t.as(INV).get(`/v1/requests/${String(doc.requestId)}`);
    expect(status.body.banks[0].state).toBe('answered');
    expect((await t.as(INV).get('/readyz')).status).toBe(200);
    expect((await auditVerified(t, { redis: asGateway })).ok).toBe(true);

    const a = admin();
    try {
      // Every command of the flow was allowed, and the gateway's connections are the ACL user's.
      expect(await a.call('ACL', 'LOG')).toEqual([]);
      const clients = String(await a.call('CLIENT', 'LIST'));
      expect(clients.split('\n').filter((l) => / user=art50 /.test(l)).length).toBeGreaterThanOrEqual(3);
    } finally {
      a.disconnect();
    }
  }, 60_000);
});
