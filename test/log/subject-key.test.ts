import { createHmac, randomBytes } from 'node:crypto';
import { makeRequest } from '../support/documents';
import { waitFor } from '../support/flow';
import { startTestGateway } from '../support/gateway';
import { sign } from '../support/identities';
import { deriveSubjectKey, parseSubjectSecret } from '../../src/log/subject-key';
import { Art50Error } from '../../src/errors';

/** The keyed hash standing for an IIN in the log comes from its own secret (HKDF), not the seal key. */
it('log entries carry HMAC(HKDF(ART50_SUBJECT_KEY), IIN), whatever the seal key', async () => {
  const secret = randomBytes(32).toString('base64');
  const t = await startTestGateway({ ART50_SUBJECT_KEY: secret }, { workers: false });
  try {
    const doc = makeRequest();
    expect((await t.as('police/investigator-1').post('/v1/requests', sign(doc, 'police/investigator-1'))).status).toBe(202);
    const entry = await waitFor(async () => {
      const cp = await t.as('auditor/auditor-1').get('/v1/log/checkpoint');
      if (cp.status !== 200 || !(cp.body.treeSize > 0)) return undefined;
      const page = await t.as('auditor/auditor-1').get(`/v1/log/entries?start=0&end=${cp.body.treeSize}`);
      if (page.status !== 200) return undefined;
      return (page.body.entries as string[]).map((e) => JSON.parse(e) as { requestId?: string; subjectKey?: string }).find((e) => e.requestId === doc.requestId);
    }, 'the request in the log');
    const key = deriveSubjectKey(Buffer.from(secret, 'base64'));
    const iin = (doc.subject as { iin: string }).iin;
    expect(entry.subjectKey).toBe(createHmac('sha256', key).update(iin, 'utf8').digest('hex'));
  } finally {
    await t.stop();
  }
});

it('a secret shorter than 32 bytes is refused', () => {
  expect(() => parseSubjectSecret(randomBytes(16).toString('base64'), 'test')).toThrow(Art50Error);
});
