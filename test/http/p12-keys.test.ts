import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { createGateway } from '../../src/gateway';
import { serverTarget } from '../../src/redis/target';
import { createLogger } from '../../src/logger';
import { makeRequest } from '../support/documents';
import { startTestGateway } from '../support/gateway';
import { KEYS, sign } from '../support/identities';

/** The gateway's own TLS and seal keys as NCA hands keys out: PKCS#12 files with a password from a file. */
const dir = mkdtempSync(join(tmpdir(), 'art50-p12-'));
const passwordFile = (pw: string): string => {
  const f = join(dir, `pw-${Math.random()}`);
  writeFileSync(f, `${pw}\n`);
  return f;
};
const p12Env = (pw: string): Record<string, string> => ({
  ART50_TLS_P12: join(KEYS, 'gateway/tls.p12'),
  ART50_SEAL_P12: join(KEYS, 'gateway/seal.p12'),
  ART50_KEY_PASSWORD_FILE: passwordFile(pw),
});

it('serves HTTPS and seals receipts with keys from PKCS#12 files', async () => {
  const t = await startTestGateway(p12Env('art50-demo'), { workers: false });
  try {
    expect((await t.as('police/investigator-1').get('/readyz')).status).toBe(200);
    const res = await t.as('police/investigator-1').post('/v1/requests', sign(makeRequest(), 'police/investigator-1'));
    expect(res.status).toBe(202);
    expect(res.body.receipt).toEqual(expect.any(String));
  } finally {
    await t.stop();
  }
});

it('a wrong password stops the start with a clear configuration error', () => {
  const config = loadConfig({ ...process.env, ...p12Env('wrong'), ART50_PORT: '0' });
  expect(() => createGateway({ config, redis: serverTarget(process.env.REDIS_URL!), logger: createLogger({ level: 'error', silent: true }), workers: false }))
    .toThrow(/wrong password/);
});

it('a PKCS#12 key without any password configured names the variable to set', () => {
  const env: Record<string, string | undefined> = { ...process.env, ...p12Env('x'), ART50_PORT: '0' };
  delete env.ART50_KEY_PASSWORD_FILE;
  delete env.ART50_KEY_PASSWORD;
  const config = loadConfig(env);
  expect(() => createGateway({ config, redis: serverTarget(process.env.REDIS_URL!), logger: createLogger({ level: 'error', silent: true }), workers: false }))
    .toThrow(/ART50_KEY_PASSWORD_FILE/);
});

it('ART50_ENV=production refuses a published demo secret of the gateway, wherever it was copied, naming the variable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'art50-prod-keys-'));
  const other = join(dir, 'root.pem');
  writeFileSync(other, readFileSync(join(KEYS, 'police', 'investigator-1.pem'))); // any certificate that is not the demo root
  const copied = join(dir, 'data-keys');
  copyFileSync(join(KEYS, 'gateway', 'data-keys'), copied);
  const prod = { ...process.env, ART50_ENV: 'production', ART50_TRUST: other };
  // The demo seal and TLS keys by default.
  expect(() => loadConfig(prod)).toThrow(/ART50_TLS_KEY is a published demo secret/);
  const own = (name: string): string => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const file = join(dir, name);
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    return file;
  };
  const ownKeys = { ART50_TLS_KEY: own('tls.key'), ART50_SEAL_KEY: own('seal.key') };
  expect(() => loadConfig({ ...prod, ...ownKeys })).toThrow(/ART50_DATA_KEY_FILE is a published demo secret/);
  expect(() => loadConfig({ ...prod, ...ownKeys, ART50_DATA_KEY_FILE: copied })).toThrow(/ART50_DATA_KEY_FILE is a published demo secret/);
  // Compared as secrets, not files: the demo key line alone, or listed among the operator's own keys.
  const demoKeyLine = readFileSync(join(KEYS, 'gateway', 'data-keys'), 'utf8').split('\n').find((l) => l.trim() && !l.startsWith('#'))!.trim();
  const ownLine = `k1 ${randomBytes(32).toString('base64')}`;
  expect(() => loadConfig({ ...prod, ...ownKeys, ART50_DATA_KEYS: demoKeyLine })).toThrow(/ART50_DATA_KEYS is a published demo secret/);
  expect(() => loadConfig({ ...prod, ...ownKeys, ART50_DATA_KEYS: `${ownLine}\n${demoKeyLine}` })).toThrow(/ART50_DATA_KEYS is a published demo secret/);
  const ownData = { ART50_DATA_KEYS: ownLine };
  const demoSubject = readFileSync(join(KEYS, 'gateway', 'subject-key'), 'utf8');
  expect(() => loadConfig({ ...prod, ...ownKeys, ...ownData, ART50_SUBJECT_KEY: demoSubject })).toThrow(/ART50_SUBJECT_KEY is a published demo secret/);
  const subjectLine = demoSubject.split('\n').find((l) => l.trim() && !l.startsWith('#'))!.trim();
  expect(() => loadConfig({ ...prod, ...ownKeys, ...ownData, ART50_SUBJECT_KEY: subjectLine })).toThrow(/ART50_SUBJECT_KEY is a published demo secret/);
  // The demo TLS key re-encoded (SEC1 instead of PKCS#8) is still the demo key.
  const reencoded = join(dir, 'tls-sec1.key');
  writeFileSync(reencoded, createPrivateKey(readFileSync(join(KEYS, 'gateway', 'tls.key'))).export({ type: 'sec1', format: 'pem' }));
  expect(() => loadConfig({ ...prod, ...ownKeys, ...ownData, ART50_TLS_KEY: reencoded })).toThrow(/ART50_TLS_KEY is a published demo secret/);
  // The demo seal key inside its PKCS#12 file, opened with the configured password.
  expect(() => loadConfig({ ...prod, ...ownKeys, ...ownData, ART50_SEAL_P12: join(KEYS, 'gateway', 'seal.p12'), ART50_KEY_PASSWORD: 'art50-demo' })).toThrow(/ART50_SEAL_P12 is a published demo secret/);
  expect(() => loadConfig({ ...prod, ...ownKeys, ...ownData, ART50_SUBJECT_KEY: randomBytes(32).toString('base64') })).not.toThrow();
  // Outside production the demo secrets are what the quick start uses.
  expect(() => loadConfig({ ...process.env, ART50_ENV: 'development' })).not.toThrow();
});

it('ART50_ENV=production refuses the public demo trust at start, naming what to configure', () => {
  expect(() => loadConfig({ ...process.env, ART50_ENV: 'production' })).toThrow(/ART50_ENV=production.*demo root/);
  expect(() => loadConfig({ ...process.env, ART50_ENV: 'development' })).not.toThrow();
});
