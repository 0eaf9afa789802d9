import { INV, sanctionedRequest, waitFor } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { sign } from '../support/identities';
import { delivered, makeStatement } from './helpers';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ ART50_DEADLINE_HOUR_MS: '200' });
});
afterAll(async () => {
  await t.stop();
});

describe('answering an overdue delivery', () => {
  it('is accepted, decrements the bank\'s overdue count, keeps wasOverdue and leaves the inbox', async () => {
    const { doc, digest } = await sanctionedRequest(t, { banks: ['GAMMKZKA'], deadlineHours: 1 });
    await delivered(t, 'GAMMKZKA', doc.requestId);
    await waitFor(async () => (await t.as(INV).get(`/v1/requests/${doc.requestId}`)).body.banks[0].state === 'overdue', 'overdue');
    const overdueKey = t.gw.keys.overdue();
    expect(Number(await t.gw.redis.hget(overdueKey, 'GAMMKZKA'))).toBe(1);

    const res = await t.as('banks/GAMMKZKA').post('/v1/statements', sign(makeStatement(doc, digest, 'GAMMKZKA'), 'banks/GAMMKZKA'));
    expect(res.status).toBe(201);
    expect(Number(await t.gw.redis.hget(overdueKey, 'GAMMKZKA'))).toBe(0);
    const status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    expect(status.body.state).toBe('completed');
    expect(status.body.banks[0]).toMatchObject({ state: 'answered', overdue: true });
    const bank = JSON.parse((await t.gw.redis.hget(t.gw.keys.requestBanks(String(doc.requestId)), 'GAMMKZKA'))!);
    expect(bank).toMatchObject({ state: 'answered', wasOverdue: true, statementId: res.body.statementId });
    expect(await t.gw.redis.zscore(t.gw.keys.inbox('GAMMKZKA'), `${doc.requestId}.GAMMKZKA`)).toBeNull();
    // A late deadline job after the answer changes nothing.
    await new Promise((r) => setTimeout(r, 300));
    expect(Number(await t.gw.redis.hget(overdueKey, 'GAMMKZKA'))).toBe(0);
  });
});
