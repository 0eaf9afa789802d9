import { Agent, request } from 'node:https';
import { connect } from 'node:tls';
import { startTestGateway } from '../support/gateway';
import { ROOT_PEM } from '../support/identities';

/** Issue 15.7: graceful shutdown does not wait out keep-alive clients that send nothing. */
describe('graceful shutdown', () => {
  it('closes idle keep-alive connections at once instead of waiting the 10 s grace', async () => {
    const t = await startTestGateway({}, { workers: false });
    const agent = new Agent({ keepAlive: true, ca: ROOT_PEM() });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: t.port, path: '/healthz', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    // A second client: TLS set up, no request sent yet.
    const bare = connect({ host: '127.0.0.1', port: t.port, ca: ROOT_PEM(), servername: 'localhost', checkServerIdentity: () => undefined });
    await new Promise<void>((r) => bare.once('secureConnect', () => r()));
    const closed = new Promise<void>((r) => bare.once('close', () => r()));
    bare.on('error', () => undefined);

    const started = Date.now();
    await t.stop();
    expect(Date.now() - started).toBeLessThan(3000);
    await closed;
    agent.destroy();
  }, 30_000);
});
