import { createHash, randomBytes } from 'node:crypto';
import { DataKeyring } from '../../src/store/data-keys';
import { rekeyStoredDocuments } from '../../src/requests/rekey';
import { RequestStore } from '../../src/requests/store';
import { scriptRunner } from '../../src/store/script-set';
import { INV, PROS, sanctionedRequest } from '../support/flow';
import { makeRequest, makeSanction } from '../support/documents';
import { startTestGateway, TestGateway } from '../support/gateway';
import { sign } from '../support/identities';
import { delivered } from '../statements/helpers';

/**
 * Requests at rest (issue 14.2): the signed request and sanction are stored sealed under the
 * gateway's data key (AES-256-GCM, key id in each value), banks still get them exactly as signed,
 * and a new key re-seals everything in the background.
 */

const line = (id: string, key: Buffer): string => `${id} ${key.toString('base64')}`;
const OLD = randomBytes(32);
const NEW = randomBytes(32);

describe('DataKeyring', () => {
  it('seals with the first key, names it in the value, opens with any listed key, and binds the value to its place', () => {
    const old = DataKeyring.parse(line('k-old', OLD), 'test');
    const both = DataKeyring.parse(`# rotation\n${line('k-new', NEW)}\n\n${line('k-old', OLD)}\n`, 'test');
    const v = old.seal(Buffer.from('subject 850315300129'), 'req:a:cms');
    expect(v.includes(Buffer.from('850315300129'))).toBe(false);
    expect(old.keyIdOf(v)).toBe('k-old');
    expect(both.open(v, 'req:a:cms').toString()).toBe('subject 850315300129');
    expect(both.keyIdOf(both.seal(Buffer.from('x'), 'p'))).toBe('k-new');
    expect(() => both.open(v, 'req:b:cms')).toThrow(/does not authenticate/);
    expect(() => DataKeyring.parse(line('k-new', NEW), 'test').open(v, 'req:a:cms')).toThrow(/not in the keyring/);
    const flipped = Buffer.from(v);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => old.open(flipped, 'req:a:cms')).toThrow(/does not authenticate/);
    // DER stored before a key was configured is read as is.
    expect(old.open(Buffer.from([0x30, 0x00]), 'p')).toEqual(Buffer.from([0x30, 0x00]));
    for (const bad of ['k1 c2hvcnQ=', 'k1', 'bad id! ' + NEW.toString('base64'), `${line('a', OLD)}\n${line('a', NEW)}`]) {
      expect(() => DataKeyring.parse(bad, 'test')).toThrow();
    }
  });

  it('never seals two values under the same nonce, across the refills of its random pool, and each opens to its own bytes', () => {
    const ring = DataKeyring.parse(line('k-old', OLD), 'test');
    const nonces = new Set<string>();
    const n = 1000; // the pool holds 4 KiB: about three refills
    for (let i = 0; i < n; i++) {
      const v = ring.seal(Buffer.from(`value ${i}`), `p${i}`);
      nonces.add(v.subarray(3 + 'k-old'.length, 3 + 'k-old'.length + 12).toString('hex'));
      expect(ring.open(v, `p${i}`).toString()).toBe(`value ${i}`);
    }
    expect(nonces.size).toBe(n);
  });
});

describe('requests and sanctions at rest', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ ART50_DATA_KEYS: line('k-old', OLD) });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('are sealed in Redis; the bank receives the exact signed bytes; a new key re-seals them in the background', async () => {
    const doc = makeRequest({ banks: ['ALFAKZKA'] });
    const signed = sign(doc, INV);
    const { doc: other } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
    const r = await t.as(INV).post('/v1/requests', signed);
    expect(r.status).toBe(202);
    const key = t.gw.keys.request(String(doc.requestId));
    const stored = (await t.gw.redis.hgetBuffer(key, 'cms'))!;
    expect(stored[0]).toBe(0xa5);
    expect(stored.includes(Buffer.from(String((doc.subject as { iin: string }).iin)))).toBe(false);
    const all = Buffer.concat(Object.values(await t.gw.redis.hgetallBuffer(key)));
    expect(all.includes(Buffer.from(String((doc.subject as { iin: string }).iin)))).toBe(false);

    expect((await t.as(PROS).post(`/v1/requests/${doc.requestId}/sanction`, sign(makeSanction(doc, r.body.digest), PROS))).status).toBe(201);
    expect((await t.gw.redis.hgetBuffer(key, 'sanctionCms'))![0]).toBe(0xa5);
    const item = await delivered(t, 'ALFAKZKA', doc.requestId) as unknown as { request: string };
    expect(Buffer.from(item.request, 'base64').equals(signed)).toBe(true);

    // Rotation: the new key first, the old one still listed; one background pass re-seals everything.
    const rotated = DataKeyring.parse(`${line('k-new', NEW)}\n${line('k-old', OLD)}`, 'test');
    const store = new RequestStore(t.gw.redis, t.gw.keys, {
      intake: scriptRunner(t.gw.redis, 'requests/lua/intake-6.lua'),
      sanction: scriptRunner(t.gw.redis, 'requests/lua/sanction-8.lua'),
      rekey: scriptRunner(t.gw.redis, 'requests/lua/rekey-1.lua'),
    }, rotated);
    expect(await rekeyStoredDocuments(store)).toBeGreaterThanOrEqual(4);
    for (const id of [doc.requestId, other.requestId]) {
      const [c, s] = await t.gw.redis.hmgetBuffer(t.gw.keys.request(String(id)), 'cms', 'sanctionCms');
      expect([rotated.keyIdOf(c!), rotated.keyIdOf(s!)]).toEqual(['k-new', 'k-new']);
    }
    expect(await rekeyStoredDocuments(store)).toBe(0);
    const back = await store.getCms(String(doc.requestId));
    expect(createHash('sha256').update(back.request!).digest('hex')).toBe(createHash('sha256').update(signed).digest('hex'));
    // The old key alone no longer opens them.
    const oldOnly = new RequestStore(t.gw.redis, t.gw.keys, { intake: scriptRunner(t.gw.redis, 'requests/lua/intake-6.lua'), sanction: scriptRunner(t.gw.redis, 'requests/lua/sanction-8.lua') }, DataKeyring.parse(line('k-old', OLD), 'test'));
    await expect(oldOnly.getCms(String(doc.requestId))).rejects.toThrow(/k-new/);
  });

  it('seal a refusal\'s free-text reason too: not in clear in Redis, read back for the body, re-sealed by rotation (a reason stored in clear before is sealed by it)', async () => {
    const reason = 'No grounds shown against Aigerim Demo-Zhaksylykova';
    const doc = makeRequest({ banks: ['ALFAKZKA'] });
    const r = await t.as(INV).post('/v1/requests', sign(doc, INV));
    expect((await t.as(PROS).post(`/v1/requests/${doc.requestId}/sanction`, sign(makeSanction(doc, r.body.digest, { decision: 'refused', reason }), PROS))).status).toBe(201);
    const key = t.gw.keys.request(String(doc.requestId));
    const stored = (await t.gw.redis.hgetBuffer(key, 'decisionReason'))!;
    expect(stored[0]).toBe(0xa5);
    expect(Buffer.concat(Object.values(await t.gw.redis.hgetallBuffer(key))).includes(Buffer.from('Zhaksylykova'))).toBe(false);
    const status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    expect(status.body.decision).toMatchObject({ decision: 'refused', reason });

    // A reason written in clear by an earlier version is read as is, and rotation seals it.
    const legacy = makeRequest({ banks: ['ALFAKZKA'] });
    const lr = await t.as(INV).post('/v1/requests', sign(legacy, INV));
    expect((await t.as(PROS).post(`/v1/requests/${legacy.requestId}/sanction`, sign(makeSanction(legacy, lr.body.digest, { decision: 'refused', reason: 'x' }), PROS))).status).toBe(201);
    const legacyKey = t.gw.keys.request(String(legacy.requestId));
    await t.gw.redis.hset(legacyKey, 'decisionReason', 'written in clear');
    expect((await t.as(INV).get(`/v1/requests/${legacy.requestId}`)).body.decision.reason).toBe('written in clear');
    const store = new RequestStore(t.gw.redis, t.gw.keys, {
      intake: scriptRunner(t.gw.redis, 'requests/lua/intake-6.lua'),
      sanction: scriptRunner(t.gw.redis, 'requests/lua/sanction-8.lua'),
      rekey: scriptRunner(t.gw.redis, 'requests/lua/rekey-1.lua'),
    }, DataKeyring.parse(`${line('k-new', NEW)}\n${line('k-old', OLD)}`, 'test'));
    await rekeyStoredDocuments(store);
    const resealed = (await t.gw.redis.hgetBuffer(legacyKey, 'decisionReason'))!;
    expect(resealed[0]).toBe(0xa5);
    expect((await store.get(String(legacy.requestId)))!.decisionReason).toBe('written in clear');
  });
});
