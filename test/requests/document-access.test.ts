import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRequest } from '../support/documents';
import { INV } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { plainRegistryFile, sign } from '../support/identities';

/**
 * GET /v1/requests/{id}?include=request hands out the signed request, which names the individual,
 * by role: the body's investigators and heads and the supervising offices' prosecutors. People of
 * those organisations registered with another role (here: auditor) see the state only.
 */
describe('who gets the signed request with include=request', () => {
  let t: TestGateway;
  beforeAll(async () => {
    const registry = JSON.parse(readFileSync(plainRegistryFile(), 'utf8')) as { people: Array<{ iin: string; roles: string[] }> };
    for (const p of registry.people) {
      // investigator-gost (body A) and prosecutor-1 (the office supervising body A), as auditors.
      if (p.iin === '910203301233' || p.iin === '780421300456') p.roles = ['auditor'];
    }
    const file = join(mkdtempSync(join(tmpdir(), 'art50-doc-access-')), 'participants.json');
    writeFileSync(file, JSON.stringify(registry));
    t = await startTestGateway({ ART50_REGISTRY: file }, { workers: false });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('the investigator gets it; an auditor of the same body or of the supervising office gets the state only', async () => {
    const doc = makeRequest({ banks: ['ALFAKZKA'] });
    expect((await t.as(INV).post('/v1/requests', sign(doc, INV))).status).toBe(202);
    const path = `/v1/requests/${doc.requestId}?include=request`;
    const own = await t.as(INV).get(path);
    expect([own.status, typeof own.body.request]).toEqual([200, 'string']);
    for (const who of ['police/investigator-gost', 'prosecutor/prosecutor-1']) {
      const res = await t.as(who).get(path);
      expect([who, res.status, res.body.state, res.body.request]).toEqual([who, 200, 'awaiting_sanction', undefined]);
    }
  });
});
