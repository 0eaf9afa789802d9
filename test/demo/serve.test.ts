import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { runDemo } from '../../src/demo/run';
import { ROOT_PEM } from '../support/identities';
import { signedChallenge } from '../support/session';

jest.setTimeout(180_000);

describe('art50 demo --serve', () => {
  it('plays the demo, then keeps the gateway with the console up and says how to sign in', async () => {
    const lines: string[] = [];
    const seen: Array<[string, number]> = [];
    let stop!: () => void;
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    const code = await runDemo({
      outDir: mkdtempSync(join(tmpdir(), 'art50-demo-serve-')),
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
      print: (l) => lines.push(l),
      serve: true,
      untilStop: () => stopped,
      onServing: (url) => {
        void (async () => {
          const base = url.replace(/\/console$/, '');
          const page = await request(base).get('/console').ca(ROOT_PEM());
          seen.push(['/console', page.status]);
          // A person signs in to the running demo gateway with a keys.example AUTH key.
          const { cms } = await signedChallenge({ as: () => ({ get: (p: string) => request(base).get(p).ca(ROOT_PEM()) }) } as never, 'police/investigator-1');
          const login = await request(base).post('/v1/auth/login').ca(ROOT_PEM()).set('Content-Type', 'application/pkcs7-mime').send(cms);
          seen.push(['/v1/auth/login', login.status]);
        })().finally(stop);
      },
    });
    expect(code).toBe(0);
    expect(seen).toEqual([['/console', 200], ['/v1/auth/login', 200]]);
    const text = lines.join('\n');
    expect(text).toMatch(/console: https:\/\/127\.0\.0\.1:\d+\/console/);
    expect(text).toMatch(/keys\.example\/police\/investigator-1\.p12 .*keys\.example\/police\/investigator-1\.sign\.p12/);
    expect(text).toMatch(/password art50-demo/);
  });
});
