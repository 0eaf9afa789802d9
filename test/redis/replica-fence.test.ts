import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Redis from 'ioredis';
import { loadConfig } from '../../src/config';
import { connectionOptions } from '../../src/redis/target';
import { replicaFence, socketMark } from '../../src/redis/replica-fence';
import { Art50Error } from '../../src/errors';
import { makeRequest } from '../support/documents';
import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, PROS, sanctionedRequest, waitFor } from '../support/flow';
import { sign } from '../support/identities';
import { delivered, logEntries, makeStatement, sha256 } from '../statements/helpers';
import { RedisProcess, startRedisNode, tempDir } from '../support/redis-ha';

/**
 * Issue 21.2: with ART50_REDIS_MIN_REPLICAS=1 a write the replica has not confirmed is not
 * acknowledged — 503 store.replication_timeout, "may have been recorded; resend" — and no
 * checkpoint covers it; resending once the replica is back is a replay with the original receipt.
 */
describe('acknowledgement waits for the replicas', () => {
  const dir = tempDir('art50-fence-');
  let primary: RedisProcess;
  let replica: RedisProcess;
  let t: TestGateway;
  let admin: Redis;

  beforeAll(async () => {
    primary = await startRedisNode({ dir: join(dir, 'a') });
    replica = await startRedisNode({ dir: join(dir, 'b'), replicaOf: primary.port });
    const r = new Redis(replica.port);
    await waitFor(async () => /master_link_status:up/.test(await r.info('replication')), 'the replica in sync');
    r.disconnect();
    admin = new Redis(primary.port);
    // Workers on: the statement test below needs a delivery to answer.
    t = await startTestGateway({ REDIS_URL: `redis://127.0.0.1:${primary.port}`, ART50_REDIS_MIN_REPLICAS: '1', ART50_REDIS_WAIT_TIMEOUT_MS: '300', ART50_CHECKPOINT_INTERVAL_MS: '50' });
  }, 30_000);

  afterAll(async () => {
    replica?.child.kill('SIGCONT');
    await t?.stop();
    admin?.disconnect();
    await replica?.stop();
    await primary?.stop();
  });

  const checkpointSize = async (): Promise<number> => (await t.as('auditor/auditor-1').get('/v1/log/checkpoint')).body.treeSize as number;
  const logSize = async (): Promise<number> => Number(await admin.get(`{${t.config.namespace}}:log:size`));

  it('answers 503 store.replication_timeout while the replica is away, signs no checkpoint over the write, and replays it afterwards', async () => {
    const first = makeRequest();
    expect((await t.as(INV).post('/v1/requests', sign(first, INV))).status).toBe(202);
    await waitFor(async () => (await checkpointSize()) === (await logSize()), 'a checkpoint over the log');

    replica.child.kill('SIGSTOP'); // alive but silent: it acknowledges nothing
    const doc = makeRequest();
    const body = sign(doc, INV);
    const refused = await t.as(INV).post('/v1/requests', body);
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body).toMatchObject({ code: 'store.replication_timeout', replicas: 0, required: 1 });
    expect(refused.body.detail).toMatch(/may have been recorded; resend the same document/);
    // The primary has the entry, but no checkpoint covers it while no replica does.
    const sequenced = await logSize();
    await new Promise((r) => setTimeout(r, 700));
    expect(await checkpointSize()).toBeLessThan(sequenced);

    replica.child.kill('SIGCONT');
    const resent = await waitFor(async () => {
      const r = await t.as(INV).post('/v1/requests', body);
      return r.status === 503 ? undefined : r;
    }, 'the resend to be acknowledged');
    expect(resent.status).toBe(200); // a replay: it had been recorded
    expect(resent.body.requestId).toBe(doc.requestId);
    await waitFor(async () => (await checkpointSize()) >= sequenced, 'a checkpoint over the write once the replica has it');
  }, 30_000);

  const entriesOf = async (event: string, field: string, value: unknown): Promise<number> =>
    (await logEntries(t)).filter((e) => e.event === event && e[field] === value).length;

  it('hands out a statement only once its statement.downloaded entry is on the replica', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    await delivered(t, 'ALFAKZKA', doc.requestId);
    const statement = makeStatement(doc, digest, 'ALFAKZKA');
    expect((await t.as('banks/ALFAKZKA').post('/v1/statements', sign(statement, 'banks/ALFAKZKA'))).status).toBe(201);

    replica.child.kill('SIGSTOP');
    const refused = await t.as(INV).get(`/v1/statements/${statement.statementId}`);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body).toMatchObject({ code: 'store.replication_timeout', replicas: 0, required: 1 });
    // The primary has the record (the download may have happened); no content left without it on a replica.
    expect(await entriesOf('statement.downloaded', 'statementId', statement.statementId)).toBe(1);

    replica.child.kill('SIGCONT');
    // Each attempt is a download and logs its entry, the ones answered 503 while the replica
    // catches up included: one entry per attempt.
    let attempts = 1;
    const ok = await waitFor(async () => {
      attempts++;
      const r = await t.as(INV).get(`/v1/statements/${statement.statementId}`).buffer(true);
      return r.status === 503 ? undefined : r;
    }, 'the download once the replica is back');
    expect(ok.status).toBe(200);
    expect(ok.headers['x-art50-digest']).toBe(sha256(JSON.stringify(statement)));
    expect(await entriesOf('statement.downloaded', 'statementId', statement.statementId)).toBe(attempts);
  }, 30_000);

  it('answers a refusal only once its request.refused entry is on the replica', async () => {
    // Signed by the prosecutor, who may not sign a request: refused, and the refusal is logged.
    const doc = makeRequest();
    const body = sign(doc, PROS);
    replica.child.kill('SIGSTOP');
    const unconfirmed = await t.as(INV).post('/v1/requests', body);
    expect(unconfirmed.status).toBe(503);
    expect(unconfirmed.body).toMatchObject({ code: 'store.replication_timeout' });
    replica.child.kill('SIGCONT');
    let attempts = 1;
    const refused = await waitFor(async () => {
      attempts++;
      const r = await t.as(INV).post('/v1/requests', body);
      return r.status === 503 ? undefined : r;
    }, 'the refusal once the replica is back');
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    // One refusal entry per attempt, the ones answered 503 while the replica caught up included.
    expect((await logEntries(t)).filter((e) => e.event === 'request.refused' && e.code === refused.body.code)).toHaveLength(attempts);
  }, 30_000);

  /** A fence on its own connection to the primary, fencing the writes of another (ioredis defaults). */
  const withFence = async (fn: (fence: ReturnType<typeof replicaFence>, conn: Redis, writer: Redis) => Promise<void>): Promise<void> => {
    const conn = new Redis(primary.port);
    const writer = new Redis(primary.port);
    try {
      const fence = replicaFence(conn, { minReplicas: 1, timeoutMs: 5000, channel: 'fence-test', writer });
      await waitFor(async () => conn.status === 'ready' && writer.status === 'ready', 'the connections');
      await fn(fence, conn, writer);
    } finally {
      replica.child.kill('SIGCONT');
      conn.disconnect();
      writer.disconnect();
    }
  };

  // The failover case: a primary killed under a round. ioredis resends the PUBLISH and WAIT on the
  // new connection (here to the same server, after a CLIENT KILL; in a failover to the promoted
  // replica, which never had the write) and that WAIT is answered — the fence must not believe it.
  it('confirms nothing across a dropped connection, even when the resent WAIT is answered', async () => {
    // ioredis's default (resend what was in flight): the fence must hold without the gateway's setting.
    await withFence(async (fence, conn, writer) => {
      await writer.set('fence-test', '1');
      await fence(); // connected and confirmed
      const id = Number(await conn.client('ID'));
      replica.child.kill('SIGSTOP'); // the round below blocks in WAIT
      await writer.set('fence-test', '2');
      const round = fence().then(() => 'confirmed', (e: unknown) => e);
      await new Promise((r) => setTimeout(r, 200));
      await admin.client('KILL', 'ID', String(id));
      replica.child.kill('SIGCONT');
      const outcome = await round;
      expect(outcome).toBeInstanceOf(Art50Error);
      expect(outcome).toMatchObject({ code: 'store.replication_timeout' });
      expect((outcome as Art50Error).message).toMatch(/could not confirm this write on the primary it was made on.*may have been recorded; resend the same document/);
      // The resent round did run on the new connection (and would have "confirmed"); a caller arriving now is confirmed.
      await waitFor(async () => conn.status === 'ready', 'the fence connection back');
      await expect(fence()).resolves.toBeUndefined();
    });
  }, 30_000);

  // Reads, then a write, then the fence: a reconnection of the writes' connection in between
  // (ioredis resends what was in flight, perhaps to another primary) must not be confirmed.
  it('confirms nothing when the writes\' connection changed socket since the mark it is given', async () => {
    await withFence(async (fence, _conn, writer) => {
      const mark = socketMark(writer);
      await writer.get('fence-test');
      await admin.client('KILL', 'ID', String(await writer.client('ID')));
      await waitFor(async () => socketMark(writer) !== mark && writer.status === 'ready', 'the writer reconnected');
      await writer.set('fence-test', '3');
      await expect(fence(mark)).rejects.toMatchObject({ code: 'store.replication_timeout' });
      await expect(fence(socketMark(writer))).resolves.toBeUndefined();
    });
  }, 30_000);

  // While Sentinels disagree, the writes' connection and the fence's can follow two primaries.
  // The fence tells servers apart by their run_id, not by the address a connection took.
  it('confirms writes made on the server it waits on, by any address, and nothing made on another', async () => {
    await admin.config('SET', 'bind', '127.0.0.1 127.0.0.2');
    const conn = new Redis(primary.port);
    const elsewhere = new Redis(replica.port);
    const here = new Redis({ host: '127.0.0.2', port: primary.port });
    try {
      const onReplica = replicaFence(conn, { minReplicas: 1, timeoutMs: 5000, channel: 'fence-test', writer: elsewhere });
      const onPrimary = replicaFence(conn, { minReplicas: 1, timeoutMs: 5000, channel: 'fence-test', writer: here });
      await waitFor(async () => [conn, elsewhere, here].every((c) => c.status === 'ready'), 'the connections');
      // As the gateway does: a write (here a read on the replica), then the fence.
      await elsewhere.get('fence-test');
      await expect(onReplica()).rejects.toMatchObject({ code: 'store.replication_timeout' });
      await here.set('fence-test', '1');
      expect(here.stream.remoteAddress).not.toBe(conn.stream.remoteAddress);
      await expect(onPrimary()).resolves.toBeUndefined();
    } finally {
      for (const c of [conn, elsewhere, here]) c.disconnect();
      await admin.config('SET', 'bind', '127.0.0.1');
    }
  });

  it('refuses at once while its connection is not ready', async () => {
    const conn = new Redis(primary.port, { lazyConnect: true });
    const fence = replicaFence(conn, { minReplicas: 1, timeoutMs: 5000, channel: 'fence-test', writer: admin });
    await expect(fence()).rejects.toMatchObject({ code: 'store.replication_timeout' });
    expect(conn.status).toBe('wait'); // nothing was sent
  });
});

it('warns at start-up when fewer replicas are connected than ART50_REDIS_MIN_REPLICAS', async () => {
  const lone = await startRedisNode({ dir: join(tempDir('art50-lone-'), 'a') });
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  const t = await startTestGateway({ REDIS_URL: `redis://127.0.0.1:${lone.port}`, ART50_REDIS_MIN_REPLICAS: '1' }, { workers: false, logStream: stream });
  try {
    expect(lines.join('')).toMatch(/0 connected replica\(s\) but ART50_REDIS_MIN_REPLICAS=1/);
  } finally {
    await t.stop();
    await lone.stop();
  }
}, 30_000);

describe('Redis settings', () => {
  const base = { ...process.env };
  delete base.REDIS_URL;
  const cfg = (env: Record<string, string>) => loadConfig({ ...base, ...env });
  const refused = (env: Record<string, string>): string => {
    try {
      cfg(env);
    } catch (e) {
      if (e instanceof Art50Error) return `${e.code} ${e.field ?? ''}`;
      throw e;
    }
    return 'accepted';
  };

  it('parses Sentinels, the master name, the ACL user and the replica count', () => {
    const c = cfg({ ART50_REDIS_SENTINELS: '10.0.0.1:26379, [::1]:26380', ART50_REDIS_MASTER_NAME: 'gw', ART50_REDIS_USERNAME: 'art50', ART50_REDIS_PASSWORD: 'pw', ART50_REDIS_MIN_REPLICAS: '1' });
    expect(c.redis).toEqual({
      target: { kind: 'sentinel', sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '::1', port: 26380 }], masterName: 'gw', username: 'art50', password: 'pw' },
      minReplicas: 1, waitTimeoutMs: 2000,
    });
    expect(cfg({}).redis).toEqual({ minReplicas: 0, waitTimeoutMs: 2000 }); // embedded redis-server
    expect(cfg({ REDIS_URL: 'rediss://r:6380' }).redis.target).toEqual({ kind: 'server', url: 'rediss://r:6380', tls: {} });
  });

  it('reads the Sentinel password from ART50_REDIS_SENTINEL_PASSWORD_FILE, as the Redis password', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'art50-sentinel-pw-')), 'pw');
    writeFileSync(file, 'sentinel-secret\n');
    const target = (env: Record<string, string>) => cfg({ ART50_REDIS_SENTINELS: 'a:26379', ...env }).redis.target;
    expect(target({ ART50_REDIS_SENTINEL_PASSWORD_FILE: file, ART50_REDIS_SENTINEL_PASSWORD: 'ignored' })).toMatchObject({ sentinelPassword: 'sentinel-secret' });
    expect(target({ ART50_REDIS_SENTINEL_PASSWORD: 'plain' })).toMatchObject({ sentinelPassword: 'plain' });
    expect(target({})).not.toHaveProperty('sentinelPassword');
    expect(refused({ ART50_REDIS_SENTINELS: 'a:26379', ART50_REDIS_SENTINEL_PASSWORD_FILE: `${file}.missing` })).toBe('config.unreadable ART50_REDIS_SENTINEL_PASSWORD_FILE');
  });

  it('refuses a TLS file that exists but cannot be read with config.unreadable naming the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'art50-redis-tls-'));
    const pem = join(dir, 'client.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\n');
    // A directory exists but cannot be read as a file, whoever runs the test (root reads any mode).
    const notAFile = join(dir, 'ca.pem');
    mkdirSync(notAFile);
    const files = { ART50_REDIS_TLS_CERT: pem, ART50_REDIS_TLS_KEY: pem };
    expect(refused({ REDIS_URL: 'rediss://a:1', ART50_REDIS_TLS_CA: notAFile })).toBe('config.unreadable ART50_REDIS_TLS_CA');
    expect(refused({ REDIS_URL: 'rediss://a:1', ART50_REDIS_TLS_CA: pem, ART50_REDIS_TLS_CERT: notAFile, ART50_REDIS_TLS_KEY: pem })).toBe('config.unreadable ART50_REDIS_TLS_CERT');
    expect(refused({ ART50_REDIS_SENTINELS: 'a:26379', ART50_REDIS_TLS: 'true', ART50_REDIS_TLS_CERT: pem, ART50_REDIS_TLS_KEY: notAFile })).toBe('config.unreadable ART50_REDIS_TLS_KEY');
    expect(refused({ REDIS_URL: 'rediss://a:1', ART50_REDIS_TLS_CA: join(dir, 'missing.pem') })).toBe('config.invalid ART50_REDIS_TLS_CA');

    // A file readable at start-up that is not when a connection is made: the same problem, not a bare EACCES.
    const key = join(dir, 'client.key');
    writeFileSync(key, 'key');
    const target = cfg({ REDIS_URL: 'rediss://a:1', ...files, ART50_REDIS_TLS_KEY: key }).redis.target!;
    expect(connectionOptions(target).tls).toMatchObject({ key: Buffer.from('key') });
    rmSync(key);
    mkdirSync(key);
    let code = '';
    try {
      connectionOptions(target);
    } catch (e) {
      code = e instanceof Art50Error ? `${e.code} ${e.field ?? ''}` : String(e);
    }
    expect(code).toBe('config.unreadable ART50_REDIS_TLS_KEY');
  });

  it('refuses contradictions with config.invalid naming the variable', () => {
    expect(refused({ REDIS_URL: 'redis://a:1', ART50_REDIS_SENTINELS: 'b:2' })).toBe('config.invalid ART50_REDIS_SENTINELS');
    expect(refused({ ART50_REDIS_SENTINELS: 'nohostport' })).toBe('config.invalid ART50_REDIS_SENTINELS');
    expect(refused({ ART50_REDIS_MIN_REPLICAS: '1' })).toBe('config.invalid ART50_REDIS_MIN_REPLICAS');
    expect(refused({ REDIS_URL: 'redis://a:1', ART50_REDIS_TLS_CA: __filename })).toBe('config.invalid ART50_REDIS_TLS_CA');
    expect(refused({ REDIS_URL: 'rediss://a:1', ART50_REDIS_TLS_CERT: __filename })).toBe('config.invalid ART50_REDIS_TLS_CERT');
    expect(refused({ REDIS_URL: 'http://a:1' })).toBe('config.invalid REDIS_URL');
  });
});
