import { PassThrough } from 'node:stream';
import { jsonPointer, redactPointer, schemaMemberNames } from '../../src/documents/pointer';
import { loadSchema } from '../../src/documents/ajv';
import { makeRequest } from '../support/documents';
import { startTestGateway, TestGateway } from '../support/gateway';
import { sign } from '../support/identities';

const INV = 'police/investigator-1';
const IIN_LIKE = '850315300128';

let t: TestGateway;
const log: string[] = [];
beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => log.push(...d.toString('utf8').split('\n').filter(Boolean)));
  t = await startTestGateway({}, { workers: false, logStream: stream });
});
afterAll(async () => {
  await t.stop();
});

/** Signs `text` (a request in JSON, possibly with hand-written members) as investigator-1 and posts it. */
const post = (text: string) => t.as(INV).post('/v1/requests', sign(Buffer.from(text, 'utf8'), INV));
const withMember = (name: string, at: 'top' | 'subject' = 'top'): string => {
  const doc = makeRequest();
  const json = JSON.stringify(doc);
  const member = `${JSON.stringify(name)}:1,`;
  return at === 'top' ? `{${member}${json.slice(1)}` : json.replace('"subject":{', `"subject":{${member}`);
};
const settle = () => new Promise((r) => setTimeout(r, 50));

/**
 * Issue 12.6: an unknown member named like an IIN, or a 500 kB member name, was copied into the
 * problem `field` and into the gateway's log line.
 */
describe('document member names in problems and logs', () => {
  it('an unknown member named like an IIN: the problem points at it, the log line does not carry it', async () => {
    log.length = 0;
    const res = await post(withMember(IIN_LIKE, 'subject'));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'document.schema', field: `/subject/${IIN_LIKE}` });
    await settle();
    const line = log.find((l) => l.includes('request refused'));
    expect(line).toBeDefined();
    expect(line).toContain('"field":"/subject/*"');
    expect(log.join('\n')).not.toContain(IIN_LIKE);
  });

  it('a 500 kB member name: field and detail are bounded, the log carries no part of it', async () => {
    log.length = 0;
    const name = 'Q'.repeat(500_000);
    const res = await post(withMember(name));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('document.schema');
    expect(res.body.field.length).toBeLessThanOrEqual(80);
    expect(res.body.detail.length).toBeLessThanOrEqual(1100);
    expect(JSON.stringify(res.body).length).toBeLessThan(2000);
    await settle();
    expect(log.join('\n')).not.toContain('QQQQ');
    expect(log.join('\n').length).toBeLessThan(5000);
  });

  it('a member name with / and ~ is escaped in the pointer (RFC 6901)', async () => {
    const res = await post(withMember('a/b~c'));
    expect(res.status).toBe(422);
    expect(res.body.field).toBe('/a~1b~0c');
  });

  it('a duplicated member named like an IIN: the problem points at it, the log does not', async () => {
    log.length = 0;
    const text = withMember(IIN_LIKE).replace('{', `{${JSON.stringify(IIN_LIKE)}:2,`);
    const res = await post(text);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'document.duplicate_key', field: `/${IIN_LIKE}` });
    await settle();
    expect(log.join('\n')).not.toContain(IIN_LIKE);
  });

  it('schema-defined member names stay readable in the log', async () => {
    log.length = 0;
    const res = await post(JSON.stringify(makeRequest({ deadlineHours: 100 })));
    expect(res.status).toBe(422);
    await settle();
    expect(log.find((l) => l.includes('request refused'))).toContain('"field":"/deadlineHours"');
  });
});

describe('pointer helpers', () => {
  it('escape and bound every segment and the whole', () => {
    expect(jsonPointer(['a/b', 'c~d', 0])).toBe('/a~1b/c~0d/0');
    expect(jsonPointer(['x'.repeat(1000)]).length).toBeLessThanOrEqual(66);
    expect(jsonPointer(Array.from({ length: 100 }, () => 'y'.repeat(60))).length).toBeLessThanOrEqual(257);
  });

  it('redact keeps indices and schema names only', () => {
    const redact = redactPointer(schemaMemberNames(['request', 'sanction', 'statement'].map(loadSchema)));
    expect(redact('/accounts/3/movements/17/counterparty/iin')).toBe('/accounts/3/movements/17/counterparty/iin');
    expect(redact(`/subject/${IIN_LIKE}`)).toBe('/subject/*');
    expect(redact('/Aibek Nurlanov/0')).toBe('/*/0');
  });
});
