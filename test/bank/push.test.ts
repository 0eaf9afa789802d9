import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpsRequest, Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCoreFor } from '../../src/demo/core-banking/for-bank';
import { PushServer, startPushServer } from '../../src/bank/push-server';
import { ReferenceBank } from '../../src/bank/reference-bank';
import { ApiClient } from '../../src/client/api-client';
import { ClientTrust, loadClientTrust } from '../../src/client/trust';
import { demoMoneyTrail } from '../../src/demo/core-banking/trail';
import type { DeliveryBundle } from '../../src/delivery/bundle';
import { startTestGateway, TestGateway } from '../support/gateway';
import { INV, sanctionedRequest, waitFor } from '../support/flow';
import { identity, KEYS, ROOT_PEM } from '../support/identities';

/**
 * Push delivery against a real gateway (ART50_PUSH_ATTEMPTS=3, backoff 20 ms):
 * BETAKZKA → the reference bank's push endpoint (answers asynchronously with a statement);
 * GAMMKZKA → a test endpoint that fails twice (503) then accepts;
 * ALFAKZKA → a test endpoint that never accepts (the delivery falls back to the inbox).
 */

jest.setTimeout(60_000);
let t: TestGateway;
let trust: ClientTrust;
let push: PushServer;
let betaApi: ApiClient | undefined;
const hits = { flaky: new Map<string, number>(), dead: new Map<string, number>() };
const accepted: DeliveryBundle[] = [];
const servers: Server[] = [];

function testEndpoint(bank: string, answer: (deliveryId: string, n: number) => number, counts: Map<string, number>): Promise<number> {
  const id = identity(`banks/${bank}`);
  const server = createServer({ cert: id.certPem, key: id.keyPem, ca: ROOT_PEM(), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bundle = JSON.parse(Buffer.concat(chunks).toString('utf8')) as DeliveryBundle;
      const n = (counts.get(bundle.deliveryId) ?? 0) + 1;
      counts.set(bundle.deliveryId, n);
      const status = answer(bundle.deliveryId, n);
      if (status < 300) accepted.push(bundle);
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
}

beforeAll(async () => {
  trust = loadClientTrust();
  const beta = identity('banks/BETAKZKA');
  // The gateway's port is known only after it starts, and it reads the registry (with the push URLs) at start.
  const api = {
    inbox: (l?: number) => betaApi!.inbox(l), ack: (d: string) => betaApi!.ack(d), postStatement: (der: Buffer) => betaApi!.postStatement(der),
  } as unknown as ApiClient;
  const bank = new ReferenceBank({ api, identity: beta, registry: trust.registry, trust, core: demoCoreFor(trust.registry, beta.cert) });
  push = await startPushServer({ bank, trust, cert: beta.certPem, key: beta.keyPem, ca: ROOT_PEM() });
  const flakyPort = await testEndpoint('GAMMKZKA', (_id, n) => (n <= 2 ? 503 : 202), hits.flaky);
  const deadPort = await testEndpoint('ALFAKZKA', () => 503, hits.dead);

  const registry = JSON.parse(readFileSync(join(KEYS, 'participants.json'), 'utf8')) as { organisations: Array<{ bic?: string; delivery?: unknown }> };
  const url = (port: number): string => `https://127.0.0.1:${port}/art50/deliveries`;
  for (const o of registry.organisations) {
    if (o.bic === 'BETAKZKA') o.delivery = { mode: 'push', url: url(push.port) };
    if (o.bic === 'GAMMKZKA') o.delivery = { mode: 'push', url: url(flakyPort) };
    if (o.bic === 'ALFAKZKA') o.delivery = { mode: 'push', url: url(deadPort) };
  }
  const file = join(mkdtempSync(join(tmpdir(), 'art50-push-')), 'participants.json');
  writeFileSync(file, JSON.stringify(registry, null, 2));
  t = await startTestGateway({ ART50_REGISTRY: file, ART50_PUSH_ATTEMPTS: '3', ART50_PUSH_BACKOFF_MS: '20' });
  betaApi = new ApiClient({ baseUrl: `https://127.0.0.1:${t.port}`, cert: beta.certPem, key: beta.keyPem, ca: ROOT_PEM() });
});

afterAll(async () => {
  await t?.stop();
  await push?.close();
  for (const s of servers) await new Promise((r) => s.close(r));
  betaApi?.close();
  trust.close();
});

type Status = { banks: Array<{ bic: string; state: string }> };
const bankState = async (requestId: string, bic: string): Promise<string | undefined> =>
  ((await t.as(INV).get(`/v1/requests/${requestId}`)).body as Status).banks.find((b) => b.bic === bic)?.state;
const inboxHas = async (bic: string, requestId: string): Promise<boolean> =>
  ((await t.as(`banks/${bic}`).get('/v1/inbox?limit=500')).body.items as DeliveryBundle[]).some((i) => i.requestId === requestId);

/** `via` of the delivery.acknowledged log entry for (request, bank), once integrated. */
async function ackVia(requestId: string, bic: string): Promise<string | undefined> {
  const res = await t.as('auditor/auditor-1').get('/v1/log/entries?start=0&end=1000');
  // Entries are served once integrated into the tree (within a checkpoint interval): not yet is not an error.
  if (res.status === 400 && res.body.code === 'log.bad_range') return undefined;
  if (res.status !== 200) throw new Error(`log entries: ${res.status} ${JSON.stringify(res.body)}`);
  const entries = (res.body.entries as string[]).map((e) => JSON.parse(e) as { event?: string; requestId?: string; bank?: string; via?: string });
  return entries.find((e) => e.event === 'delivery.acknowledged' && e.requestId === requestId && e.bank === bic)?.via;
}

describe('push delivery', () => {
  it('reference bank push endpoint: delivered and acknowledged by push, then answered with a statement', async () => {
    const mule = demoMoneyTrail().muleIins[0]!; // a bank-B customer of the demo trail
    const { doc } = await sanctionedRequest(t, { banks: ['BETAKZKA'], subject: { iin: mule } });
    const requestId = doc.requestId as string;
    await waitFor(async () => (await bankState(requestId, 'BETAKZKA')) === 'answered', 'BETA answered', 30_000);
    expect(await inboxHas('BETAKZKA', requestId)).toBe(false);
    const list = await t.as(INV).get(`/v1/requests/${requestId}/statements`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ bank: 'BETAKZKA', result: 'found', current: true });
    expect(await waitFor(() => ackVia(requestId, 'BETAKZKA'), 'the acknowledgment in the log', 30_000)).toBe('push');
  });

  it('an endpoint that fails twice (503) then accepts: delivered exactly once, acknowledged via push, not in the inbox', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['GAMMKZKA'] });
    const requestId = doc.requestId as string;
    await waitFor(async () => (await bankState(requestId, 'GAMMKZKA')) === 'acknowledged', 'GAMMA acknowledged', 30_000);
    const deliveryId = `${requestId}.GAMMKZKA`;
    await new Promise((r) => setTimeout(r, 300)); // no further pushes may follow
    expect(hits.flaky.get(deliveryId)).toBe(3);
    expect(accepted.filter((b) => b.deliveryId === deliveryId)).toHaveLength(1);
    expect(await inboxHas('GAMMKZKA', requestId)).toBe(false);
    expect(await bankState(requestId, 'GAMMKZKA')).toBe('acknowledged');
    expect(await waitFor(() => ackVia(requestId, 'GAMMKZKA'), 'the acknowledgment in the log', 30_000)).toBe('push');
  });

  it('an endpoint that never accepts: after 3 attempts the delivery falls back to the inbox and stays delivered', async () => {
    const { doc } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const requestId = doc.requestId as string;
    await waitFor(async () => inboxHas('ALFAKZKA', requestId), 'ALFA inbox fallback', 30_000);
    expect(hits.dead.get(`${requestId}.ALFAKZKA`)).toBe(3);
    expect(await bankState(requestId, 'ALFAKZKA')).toBe('delivered');
    // the bank picks it up by polling like any pull-mode bank
    const alfa = identity('banks/ALFAKZKA');
    const api = new ApiClient({ baseUrl: `https://127.0.0.1:${t.port}`, cert: alfa.certPem, key: alfa.keyPem, ca: ROOT_PEM() });
    try {
      const bank = new ReferenceBank({ api, identity: alfa, registry: trust.registry, trust, core: demoCoreFor(trust.registry, alfa.cert) });
      const outcome = (await bank.pollOnce(500)).find((o) => o.requestId === requestId);
      expect(outcome).toMatchObject({ outcome: 'answered', result: 'found' });
    } finally {
      api.close();
    }
    expect(await bankState(requestId, 'ALFAKZKA')).toBe('answered');
  });

  it('the push endpoint accepts only the gateway: another participant\'s client certificate gets 403', async () => {
    const alfa = identity('banks/ALFAKZKA');
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(`https://127.0.0.1:${push.port}/art50/deliveries`, { method: 'POST', cert: alfa.certPem, key: alfa.keyPem, ca: ROOT_PEM(), headers: { 'content-type': 'application/json' } }, (r) => {
        const c: Buffer[] = [];
        r.on('data', (x: Buffer) => c.push(x));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(c).toString() }));
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe('auth.forbidden');
  });
});
