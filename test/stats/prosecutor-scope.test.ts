import { isDeepStrictEqual } from 'node:util';
import type { LogEntry } from '../../src/log/entry';
import { StatsAggregator, withAges } from '../../src/stats/aggregate';
import { DEMO_BIN, DEMO_IIN } from '../../src/demo/pki/participants';
import { startTestGateway, TestGateway } from '../support/gateway';
import { sanctionedRequest, waitFor } from '../support/flow';
import { makeRequest, makeSanction } from '../support/documents';
import { sign } from '../support/identities';
import { delivered, logEntries, makeStatement } from '../statements/helpers';

/**
 * Two bodies supervised by different offices: body A (Almaty, office A) and body B (Karaganda,
 * office B). Each has a request of its own article to a bank the other does not use, answered
 * (and, for B, also refused by the gateway). Prosecutor A's /v1/stats must hold nothing of body
 * B — no BIN, request, bank, article or region of B anywhere, and no count that includes B's.
 */

const AUD = 'auditor/auditor-1';
const INV_B = 'police/investigator-2';
const PROS_B = 'prosecutor/prosecutor-2';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ ART50_CHECKPOINT_INTERVAL_MS: '50' });
});
afterAll(async () => {
  await t.stop();
});

async function bodyBRequest(): Promise<{ doc: Record<string, unknown>; digest: string }> {
  const doc = makeRequest({
    body: { bin: DEMO_BIN.bodyB, name: 'Police Department of Karaganda Region (demo)' },
    signer: { iin: DEMO_IIN.investigator2, name: 'Daniyar Omarov', position: 'Investigator' },
    case: { erdrNumber: '251750031000999', article: '249-1', description: 'Laundering of the proceeds of fraud' },
    banks: ['GAMMKZKA'],
  });
  const res = await t.as(INV_B).post('/v1/requests', sign(doc, INV_B));
  expect(res.status).toBe(202);
  const s = await t.as(PROS_B).post(`/v1/requests/${doc.requestId}/sanction`, sign(makeSanction(doc, res.body.digest, { prosecutor: { iin: DEMO_IIN.prosecutor2, bin: DEMO_BIN.officeB } }), PROS_B));
  expect(s.status).toBe(201);
  return { doc, digest: res.body.digest };
}

describe("a prosecutor's statistics", () => {
  it('are summed from the supervised bodies alone: nothing of another office\'s body appears anywhere', async () => {
    const a = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const b = await bodyBRequest();
    await delivered(t, 'ALFAKZKA', a.doc.requestId);
    await delivered(t, 'GAMMKZKA', b.doc.requestId);
    expect((await t.as('banks/ALFAKZKA').post('/v1/statements', sign(makeStatement(a.doc, a.digest, 'ALFAKZKA'), 'banks/ALFAKZKA'))).status).toBe(201);
    // B's bank first sends a statement with a wrong request digest (refused and logged), then a good one.
    expect((await t.as('banks/GAMMKZKA').post('/v1/statements', sign(makeStatement(b.doc, 'ab'.repeat(32), 'GAMMKZKA'), 'banks/GAMMKZKA'))).status).toBeGreaterThanOrEqual(400);
    expect((await t.as('banks/GAMMKZKA').post('/v1/statements', sign(makeStatement(b.doc, b.digest, 'GAMMKZKA'), 'banks/GAMMKZKA'))).status).toBe(201);

    const national = await waitFor(async () => {
      const r = (await t.as(AUD).get('/v1/stats')).body;
      return r.byBank?.ALFAKZKA?.answered === 1 && r.byBank?.GAMMKZKA?.answered === 1 ? r : undefined;
    }, 'both answers in the national statistics');
    // The auditor's view is national: B is in it, so the assertions below can fail.
    expect(national.scope).toBe('national');
    expect(national.byBody[DEMO_BIN.bodyB]).toBe(1);
    expect(national.byArticle['249-1']).toBe(1);
    expect(national.requests.received).toBe(2);
    expect(Object.keys(national.refusalsByCode).length).toBeGreaterThan(0);

    const p1 = (await t.as('prosecutor/prosecutor-1').get('/v1/stats')).body;
    expect(p1.scope).toEqual({ bodies: [DEMO_BIN.bodyA] });
    const text = JSON.stringify(p1);
    for (const trace of [DEMO_BIN.bodyB, String(b.doc.requestId), 'GAMMKZKA', '249-1', 'Karaganda']) expect(text).not.toContain(trace);
    expect(p1.requests).toEqual({ received: 1, refused: 0, granted: 1, sanctionRefused: 0 });
    expect(p1.byArticle).toEqual({ '190-2-4': 1 });
    expect(p1.byBody).toEqual({ [DEMO_BIN.bodyA]: 1 });
    expect(p1.refusalsByCode).toEqual({});
    expect(Object.keys(p1.byBank)).toEqual(['ALFAKZKA']);

    // Every figure equals the fold of body A's log entries alone (the national figures of a log
    // holding only A's request). Retried until the service has integrated the last of A's entries.
    const onlyA = async (): Promise<unknown> => {
      const entries = (await logEntries(t)) as unknown as LogEntry[];
      expect(entries.filter((e) => e.requestId === b.doc.requestId).length).toBeGreaterThan(0);
      const agg = new StatsAggregator({ deadlineHourMs: t.config.deadlineHourMs });
      for (const e of entries) if (e.requestId === a.doc.requestId) agg.add(e);
      return withAges(agg.snapshot(), Date.now());
    };
    const figuresOf = (body: Record<string, unknown>): Record<string, unknown> => {
      const { scope, ...figures } = body;
      void scope;
      return figures;
    };
    const started = Date.now();
    for (;;) {
      const [seen, expected] = [figuresOf((await t.as('prosecutor/prosecutor-1').get('/v1/stats')).body), await onlyA()];
      if (isDeepStrictEqual(seen, expected) || Date.now() - started > 10_000) {
        expect(seen).toEqual(expected);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }

    // And prosecutor B sees B's request and nothing of A's.
    const p2 = (await t.as(PROS_B).get('/v1/stats')).body;
    expect(p2.scope).toEqual({ bodies: [DEMO_BIN.bodyB] });
    expect(p2.requests.received).toBe(1);
    expect(Object.keys(p2.byBank)).toEqual(['GAMMKZKA']);
    expect(JSON.stringify(p2)).not.toContain(String(a.doc.requestId));
    expect(JSON.stringify(p2)).not.toContain('ALFAKZKA');
  });
});
