import { monitorEventLoopDelay } from 'node:perf_hooks';
import { INV, sanctionedRequest } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { sign } from '../support/identities';
import { binary, delivered, lookupAccounts, makeStatement, sha256 } from './helpers';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.stop();
});

describe('a large statement', () => {
  it('one account with 100,000 movements (~30 MB CMS) is accepted and downloaded byte for byte', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    await delivered(t, 'ALFAKZKA', doc.requestId);
    const account = lookupAccounts(doc, 'ALFAKZKA', 100_000).find((a) => (a.movements ?? []).length === 100_000)!;
    expect(account).toBeDefined();
    const statement = makeStatement(doc, digest, 'ALFAKZKA', {}, [account]);
    const der = sign(statement, 'banks/ALFAKZKA');
    expect(der.length).toBeGreaterThan(20 * 1024 * 1024);

    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const res = await t.as('banks/ALFAKZKA').post('/v1/statements', der);
    const wallMs = Date.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    h.disable();
    expect(res.status).toBe(201);
    expect(res.body.digest).toBe(sha256(JSON.stringify(statement)));
    // The client and the server share this process: CPU and loop delay include both sides.
    console.log(`100k movements: CMS ${(der.length / 1048576).toFixed(1)} MB, POST ${wallMs} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU (client+server), max loop delay ${(h.max / 1e6).toFixed(0)} ms`);

    const got = await t.as(INV).get(`/v1/statements/${statement.statementId}`).buffer(true).parse(binary);
    expect(got.status).toBe(200);
    expect(Buffer.compare(got.body as Buffer, der)).toBe(0);
  }, 60_000);
});
