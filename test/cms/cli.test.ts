import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { verifyCms } from '../../src/cms/verify';
import { scratch, tmpFile } from './openssl';

const K = 'keys.example/';
const DOC = Buffer.from('{"type":"request","version":1}');

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

async function sign(who: string, extra: string[] = []): Promise<string> {
  const out = join(scratch, `${who.replace(/\W/g, '_')}-${extra.join('')}.p7s`);
  const r = await run(['sign', '--cert', `${K}${who}.pem`, '--key', `${K}${who}.key`, '--in', tmpFile(DOC, 'json'), '--out', out, ...extra]);
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
