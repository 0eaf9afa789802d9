import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { verifyCms } from '../../src/cms/verify';
import { scratch, tmpFile } from './openssl';

const K = 'keys.example/';
const DOC = Buffer.from('{"type":"note","version":1}');

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString());
    return true;
  });
  const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(['node', 'art50', ...args]);
    return { code, out: chunks.join('') };
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
  }
}

/** Signs DOC with `who`'s SIGN key (`<who>.sign.*`, people) or its one certificate (systems). */
async function sign(who: string, extra: string[] = []): Promise<string> {
  const base = existsSync(`${K}${who}.sign.pem`) ? `${who}.sign` : who;
  const out = join(scratch, `${who.replace(/\W/g, '_')}-${extra.join('')}.p7s`);
  const r = await run(['sign', '--cert', `${K}${base}.pem`, '--key', `${K}${base}.key`, '--in', tmpFile(DOC, 'json'), '--out', out, ...extra]);
  expect(r.code).toBe(0);
  return out;
}

test('art50 sign then art50 verify: signer, organisation, roles, time, digest, VALID', async () => {
  const file = await sign('police/investigator-1');
  expect(verifyCms(readFileSync(file)).content.equals(DOC)).toBe(true);
  const r = await run(['verify', '--in', file]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/signer:\s+Aibek Nurlanov \(IIN \d{12}\)/);
  expect(r.out).toMatch(/organisation:\s+Police Department of Almaty \(demo\) \(BIN \d{12}, police\)/);
  expect(r.out).toMatch(/roles:\s+investigator/);
  expect(r.out).toMatch(/digest:\s+[0-9a-f]{64}/);
  expect(r.out).toMatch(/verdict:\s+VALID/);
});

test('--pss and --json', async () => {
  const file = await sign('prosecutor/prosecutor-2', ['--pss']);
  const r = await run(['verify', '--in', file, '--json']);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.out) as { valid: boolean; roles: string[]; organisation: { kind: string } };
  expect(report).toMatchObject({ valid: true, roles: ['prosecutor'], organisation: { kind: 'prosecutor_office' } });
});

test('a revoked signer: nonzero exit and the code', async () => {
  const file = await sign('police/investigator-revoked');
  const r = await run(['verify', '--in', file, '--json']);
  expect(r.code).toBe(2);
  expect(JSON.parse(r.out)).toMatchObject({ valid: false, code: 'cert.revoked' });
});

test('an expired signer: cert.expired', async () => {
  const file = await sign('police/investigator-expired');
  const r = await run(['verify', '--in', file]);
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/verdict:\s+INVALID cert\.expired/);
});

test('a tampered file: cms.digest_mismatch; garbage: cms.malformed', async () => {
  const file = await sign('police/head-1');
  const der = readFileSync(file);
  der[der.indexOf(DOC) + 3] ^= 1;
  expect(JSON.parse((await run(['verify', '--in', tmpFile(der), '--json'])).out).code).toBe('cms.digest_mismatch');
  expect(JSON.parse((await run(['verify', '--in', tmpFile('hello'), '--json'])).out).code).toBe('cms.malformed');
});

test('a valid signature by a certificate unknown to the registry: participant.unknown', async () => {
  const file = await sign('gateway/seal');
  const reg = JSON.parse(readFileSync(`${K}participants.json`, 'utf8')) as { organisations: { kind: string }[] };
  reg.organisations = reg.organisations.filter((o) => o.kind !== 'gateway');
  const r = await run(['verify', '--in', file, '--registry', tmpFile(JSON.stringify(reg), 'json'), '--json']);
  expect(r.code).toBe(2);
  expect(JSON.parse(r.out)).toMatchObject({ valid: false, code: 'participant.unknown', signer: { cn: 'art50 gateway seal (demo)' } });
});

describe('keys as NCA hands them out', () => {
  const out = (n: string): string => join(scratch, n);
  afterEach(() => {
    delete process.env.ART50_KEY_PASSWORD;
  });

  test('a document signed with the AUTH key (no emailProtection) is refused: cert.key_usage', async () => {
    const file = out('auth-signed.p7s');
    expect((await run(['sign', '--cert', `${K}police/investigator-1.pem`, '--key', `${K}police/investigator-1.key`, '--in', tmpFile(DOC, 'json'), '--out', file])).code).toBe(0);
    const r = await run(['verify', '--in', file, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ valid: false, code: 'cert.key_usage' });
  });

  test('--p12 with --password-file signs with the SIGN key; the chain comes from the file', async () => {
    const pw = tmpFile('art50-demo\n', 'txt');
    const file = out('p12-signed.p7s');
    expect((await run(['sign', '--p12', `${K}police/investigator-1.sign.p12`, '--password-file', pw, '--in', tmpFile(DOC, 'json'), '--out', file])).code).toBe(0);
    const r = await run(['verify', '--in', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ valid: true, roles: ['investigator'] });
  });

  test('--p12 with ART50_KEY_PASSWORD', async () => {
    process.env.ART50_KEY_PASSWORD = 'art50-demo';
    const file = out('p12-env.p7s');
    expect((await run(['sign', '--p12', `${K}prosecutor/prosecutor-2.sign.p12`, '--in', tmpFile(DOC, 'json'), '--out', file])).code).toBe(0);
    expect(JSON.parse((await run(['verify', '--in', file, '--json'])).out)).toMatchObject({ valid: true, roles: ['prosecutor'] });
  });

  test('a wrong PKCS#12 password is a usage error (exit 64) that says so', async () => {
    const errs: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      errs.push(String(c));
      return true;
    });
    const code = await main(['node', 'art50', 'sign', '--p12', `${K}police/head-1.sign.p12`, '--password-file', tmpFile('not-the-password', 'txt'), '--in', tmpFile(DOC, 'json'), '--out', out('x.p7s')]);
    spy.mockRestore();
    expect(code).toBe(64);
    expect(errs.join('')).toMatch(/wrong password/);
  });

  test('no password available and no terminal: a usage error naming the options', async () => {
    const errs: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      errs.push(String(c));
      return true;
    });
    const code = await main(['node', 'art50', 'sign', '--p12', `${K}police/head-1.sign.p12`, '--in', tmpFile(DOC, 'json'), '--out', out('y.p7s')]);
    spy.mockRestore();
    expect(code).toBe(64);
    expect(errs.join('')).toMatch(/--password-file/);
  });

  test('an encrypted PEM key works with its password', async () => {
    const enc = createPrivateKey(readFileSync(`${K}police/head-1.sign.key`)).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'секрет' });
    const keyFile = out('head-1.sign.enc.key');
    writeFileSync(keyFile, enc);
    const pw = tmpFile('секрет', 'txt');
    const file = out('enc-pem.p7s');
    expect((await run(['sign', '--cert', `${K}police/head-1.sign.pem`, '--key', keyFile, '--password-file', pw, '--in', tmpFile(DOC, 'json'), '--out', file])).code).toBe(0);
    expect(JSON.parse((await run(['verify', '--in', file, '--json'])).out)).toMatchObject({ valid: true, roles: ['first_head'] });
  });
});

test('a request is also checked against its schema (the gateway\'s pipeline, offline)', async () => {
  const file = join(scratch, 'bad-request.p7s');
  const bad = tmpFile('{"type":"request","version":1}', 'json');
  expect((await run(['sign', '--cert', `${K}police/investigator-1.sign.pem`, '--key', `${K}police/investigator-1.sign.key`, '--in', bad, '--out', file])).code).toBe(0);
  const r = await run(['verify', '--in', file, '--json']);
  expect(r.code).toBe(2);
  expect(JSON.parse(r.out).code).toMatch(/^document\./);
});

describe('CLI conventions', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['ART50_TRUST', 'ART50_CRL', 'ART50_REGISTRY', 'ART50_PROFILE']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  test('--version prints the package version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });

  test('no trust configured: a usage error (64) that names the options, never a silent demo root', async () => {
    const file = await sign('police/investigator-1');
    delete process.env.ART50_TRUST;
    delete process.env.ART50_CRL;
    delete process.env.ART50_REGISTRY;
    process.env.ART50_PROFILE = tmpFile('{}', 'yaml');
    const errs: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (errs.push(String(c)), true));
    const code = await main(['node', 'art50', 'verify', '--in', file]);
    spy.mockRestore();
    expect(code).toBe(64);
    expect(errs.join('')).toMatch(/--trust FILE.*--demo/s);
    expect((await run(['verify', '--in', file, '--demo', '--json'])).code).toBe(0);
  });

  test('a profile file supplies trust, CRL and registry (paths relative to the profile)', async () => {
    const file = await sign('police/investigator-1');
    delete process.env.ART50_TRUST;
    delete process.env.ART50_CRL;
    delete process.env.ART50_REGISTRY;
    const keys = join(process.cwd(), 'keys.example');
    const profile = tmpFile(`trust: ${keys}/ca/root.pem\ncrl: ${keys}/ca/crl.pem\nregistry: ${keys}/participants.json\n`, 'yaml');
    const r = await run(['verify', '--in', file, '--profile', profile, '--json']);
    expect(r.code).toBe(0);
  });

  test('verify --out writes the exact signed bytes', async () => {
    const file = await sign('police/head-1');
    const out = join(scratch, 'verified.json');
    const r = await run(['verify', '--in', file, '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out)).toEqual(DOC);
  });
});

test('verify on a gateway receipt names what it acknowledges besides its own digest', async () => {
  const { Sealer } = await import('../../src/receipts/sealer');
  const { signer } = await import('../support/identities');
  const seal = new Sealer(signer('gateway/seal'));
  const der = seal.seal({ event: 'request.received', logIndex: 7, time: new Date().toISOString(), requestId: '00000000-0000-4000-8000-000000000001', digest: 'ab'.repeat(32) });
  const file = tmpFile(der, 'p7s');
  const r = await run(['verify', '--in', file]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/receipt of:\s+request.received, log entry 7/);
  expect(r.out).toContain(`acknowledges: document digest ${'ab'.repeat(32)}`);
});
