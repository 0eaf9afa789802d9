import { createDecipheriv, createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { decryptAuthEnveloped, parseAuthEnveloped } from '../../src/cms/auth-enveloped';
import { parseSignedData } from '../../src/cms/verify';
import { loadConfig } from '../../src/config';
import { runDemo } from '../../src/demo/run';
import type { StatementDoc } from '../../src/documents/types';
import { loadKeyFile } from '../../src/pki/key-file';
import { EmbeddedRedis, startEmbeddedRedis } from '../../src/redis/embedded';
import { DataKeyring } from '../../src/store/data-keys';
import { KEYS } from '../support/identities';

/**
 * `npm run demo` in-process on its own real redis-server, then the bank-secrecy proofs of issue
 * 14.4: every file Redis wrote (AOF, and an RDB snapshot taken after the flow) is searched for what
 * the banks disclosed; and the gateway's own keys do not open a stored statement.
 */

jest.setTimeout(120_000);
let out: string;
let redis: EmbeddedRedis;
let lines: string[];
let code: number;

/** Every file under `dir`, recursively (Redis writes the AOF as a directory of parts). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The demo's decrypted statements, as the investigator wrote them. */
function statements(): StatementDoc[] {
  const root = join(out, 'statements');
  return filesUnder(root).filter((f) => /\/[0-9a-f-]{36}\.json$/.test(f)).map((f) => JSON.parse(readFileSync(f, 'utf8')) as StatementDoc);
}

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'art50-demo-'));
  redis = await startEmbeddedRedis({ dataDir: join(out, 'redis') });
  lines = [];
  code = await runDemo({ outDir: out, redisUrl: redis.url, print: (l) => lines.push(l) });
  // An RDB snapshot as well as the AOF: a backup is one of these.
  const client = new Redis(redis.url);
  await client.save();
  await client.quit();
  await redis.stop();
});
afterAll(async () => {
  await redis?.stop();
});

describe('the demo', () => {
  it('plays the case end to end and verifies the log', () => {
    const text = lines.join('\n');
    expect(code).toBe(0);
    expect(text).toMatch(/log verified: \d+ entries/);
    expect(text).toContain('art50 police follow');
    expect(text).toMatch(/signs: refused — rejected/);
    expect(text).toMatch(/delivery overdue/);
    expect(text).toMatch(/TOO Demo Crypto Exchange/);
    expect(text).toContain('the gateway stored ciphertext only');
    expect(readdirSync(join(out, 'statements')).length).toBeGreaterThanOrEqual(7);
  });
});

describe('bank secrecy at rest (issue 14.4)', () => {
  it('no file Redis wrote (AOF and RDB) holds a subject\'s IIN, a counterparty\'s name, IIN or BIN, an IBAN or an amount', () => {
    const docs = statements();
    const found = docs.filter((d) => d.result === 'found');
    expect(found.length).toBeGreaterThanOrEqual(3);
    const needles = new Map<string, string>();
    const add = (what: string, v: string | undefined): void => {
      if (v) needles.set(v, what);
    };
    for (const d of docs) add('subject IIN', d.subject?.iin);
    for (const d of found) {
      for (const a of d.accounts ?? []) {
        add('IBAN', a.iban);
        add('balance', a.balance?.amount);
        for (const m of a.movements ?? []) {
          add('counterparty name', m.counterparty?.name);
          add('counterparty IIN', m.counterparty?.iin);
          add('counterparty BIN', m.counterparty?.bin);
          add('counterparty IBAN', m.counterparty?.iban);
          add('amount', m.amount);
          add('purpose', m.purpose);
        }
      }
    }
    // The subjects of every request (the first hop and the follow-the-money hops).
    for (const f of filesUnder(out).filter((p) => /hop-\d{12}\.request\.json$/.test(p))) add('subject IIN', /hop-(\d{12})/.exec(f)![1]);
    // Amounts of two digits and fewer ("5.00") also occur by chance in binary data; every other value must be absent.
    for (const v of [...needles.keys()]) if (/^-?\d{1,2}\.\d\d$/.test(v)) needles.delete(v);
    expect(needles.size).toBeGreaterThan(50);
    expect([...needles.values()]).toEqual(expect.arrayContaining(['subject IIN', 'IBAN', 'counterparty name', 'amount']));

    const files = filesUnder(redis.dataDir).filter((f) => /\.(aof|rdb)$/.test(f));
    expect(files.some((f) => f.endsWith('.rdb'))).toBe(true);
    expect(files.some((f) => f.endsWith('.aof'))).toBe(true);
    const leaks: string[] = [];
    let bytes = 0;
    for (const f of files) {
      const data = readFileSync(f);
      bytes += data.length;
      for (const [v, what] of needles) {
        for (const form of [Buffer.from(v, 'utf8'), Buffer.from(JSON.stringify(v).slice(1, -1), 'utf8')]) {
          if (data.includes(form)) leaks.push(`${what} ${v} in ${f.slice(redis.dataDir.length)}`);
        }
      }
    }
    expect(bytes).toBeGreaterThan(100_000);
    expect([...new Set(leaks)]).toEqual([]);
    // The search does find what is there: every statement's id (not a secret) is in the AOF, and
    // the names and IBANs searched for are the ones the investigator decrypted.
    const aof = Buffer.concat(files.filter((f) => f.endsWith('.aof')).map((f) => readFileSync(f)));
    for (const d of docs) expect(aof.includes(Buffer.from(d.statementId))).toBe(true);
    expect(needles.get('TOO Demo Crypto Exchange')).toBe('counterparty name');
  });

  it('the gateway, with everything it stores and all its own keys, cannot produce a statement\'s plaintext', async () => {
    // What the gateway process is given: its configuration and the key files it names.
    const config = loadConfig({ ...process.env, ART50_KEYS_DIR: KEYS });
    const own: Array<[string, KeyObject]> = [];
    for (const [name, src] of [['seal', config.seal], ['tls', config.tls]] as const) {
      const file = 'key' in src ? src.key : src.p12;
      const k = loadKeyFile(readFileSync(file), file, () => 'art50-demo').key;
      if (k instanceof KeyObject) own.push([name, k]);
    }
    expect(own.length).toBe(2);
    const dataKeys = DataKeyring.load(config.dataKeys);
    // None of them is the body's encryption key, which lives only with the police body.
    const bodyKey = createPrivateKey(readFileSync(join(KEYS, 'police/encryption-A.key')));
    for (const [, k] of own) expect(k.export({ format: 'der', type: 'pkcs8' }).equals(bodyKey.export({ format: 'der', type: 'pkcs8' }))).toBe(false);
    for (const file of [config.tls, config.seal].flatMap((s) => Object.values(s))) expect(file).not.toMatch(/encryption-/);

    // Every stored ciphertext, read back from the Redis files' server (restarted on the same directory).
    const again = await startEmbeddedRedis({ dataDir: redis.dataDir });
    const client = new Redis(again.url);
    try {
      const keys = await client.keys('*:stmt:*');
      const stored: Buffer[] = [];
      for (const k of keys) {
        if ((await client.type(k)) !== 'hash') continue;
        const [cms, header] = await client.hmgetBuffer(k, 'cms', 'header');
        if (cms && header) stored.push(cms);
      }
      expect(stored.length).toBeGreaterThanOrEqual(7);
      const certA = new X509Certificate(readFileSync(join(KEYS, 'police/encryption-A.pem')));
      const seal = new X509Certificate(readFileSync(join(KEYS, 'gateway/seal.pem')));
      const tls = new X509Certificate(readFileSync(join(KEYS, 'gateway/tls.pem')));
      for (const c of stored) {
        // Addressed to the body's certificate only.
        expect(parseAuthEnveloped(c).recipients).toHaveLength(1);
        for (const [name, key] of own) {
          const cert = name === 'seal' ? seal : tls;
          expect(() => decryptAuthEnveloped(c, key, cert)).toThrow();
          // Even claiming to be the recipient, the gateway's keys do not open the content key.
          expect(() => decryptAuthEnveloped(c, key, certA)).toThrow();
        }
        // The data keys seal requests, not statements: used as the content-encryption key they do not authenticate it.
        const p = parseAuthEnveloped(c);
        for (const { key } of dataKeys.keys) {
          const d = createDecipheriv('aes-256-gcm', key, p.nonce);
          d.setAuthTag(p.mac);
          d.update(p.ciphertext);
          expect(() => d.final()).toThrow();
        }
        // The body's key does open it: the ciphertext is a real statement, not noise.
        expect(JSON.parse(parseSignedData(decryptAuthEnveloped(c, bodyKey, certA)).content!.toString('utf8')).type).toBe('statement');
      }
    } finally {
      await client.quit();
      await again.stop();
    }
  });
});
