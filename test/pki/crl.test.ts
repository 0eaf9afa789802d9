import { mkdtempSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainValidator } from '../../src/pki/chain';
import { parseCrl } from '../../src/pki/crl';
import { FileCrlSource } from '../../src/pki/crl-source';
import { expectCode } from '../support/expect-code';
import { buildWorld, NOW, World } from './fixtures';

let w: World;
let dir: string;
beforeAll(async () => {
  w = await buildWorld();
  dir = mkdtempSync(join(tmpdir(), 'art50-crl-'));
});

function touch(file: string, content: string, secondsAhead: number): void {
  writeFileSync(file, content);
  const t = new Date(Date.now() + secondsAhead * 1000);
  utimesSync(file, t, t);
}

test('parseCrl reads issuer, dates and revoked serials; garbage is config.invalid', () => {
  const crl = parseCrl(Buffer.from(w.crlPems.root), 'root');
  expect(crl.revoked.has(w.revoked.pcert.serialNumber.toLowerCase().replace(/^(00)+/, ''))).toBe(true);
  expect(crl.nextUpdate!.getTime()).toBeGreaterThan(NOW.getTime());
  expectCode(() => parseCrl(Buffer.from('not a crl'), 'x'), 'config.invalid');
  expectCode(() => parseCrl(Buffer.from([0x30, 0x05, 0x01]), 'x'), 'config.invalid');
});

test('FileCrlSource reloads a changed file; the validator sees the new revocation', () => {
  const file = join(dir, 'root.crl');
  touch(file, w.crlPems.root, -10);
  const source = new FileCrlSource([file], { pollMs: 0 });
  const v = new ChainValidator([w.root.cert], source, { now: () => NOW });
  expect(v.validate(w.rsaLeaf.cert, { purpose: 'signature' }).chain).toHaveLength(2);
  expect(source.refresh()).toBe(false); // unchanged
  touch(file, w.crlPems.rootNewer, 0);
  expect(source.refresh()).toBe(true);
  expect(source.version).toBe(2);
  expectCode(() => v.validate(w.rsaLeaf.cert, { purpose: 'signature' }), 'cert.revoked');
  source.close();
});

test('a broken or older replacement keeps the CRL in force and reports the error', () => {
  const file = join(dir, 'root2.crl');
  touch(file, w.crlPems.root, -10);
  const errors: string[] = [];
  const source = new FileCrlSource([file], { pollMs: 0, onError: (e) => errors.push((e as { code?: string }).code ?? '?') });
  touch(file, 'garbage', -5);
  expect(source.refresh()).toBe(false);
  touch(file, w.crlPems.rootStale, 0); // thisUpdate older than the one in force: rollback
  expect(source.refresh()).toBe(false);
  expect(errors).toEqual(['config.invalid', 'config.invalid']);
  const v = new ChainValidator([w.root.cert], source, { now: () => NOW });
  expectCode(() => v.validate(w.revoked.cert, { purpose: 'signature' }), 'cert.revoked');
});

test('a CRL past nextUpdate read from disk fails closed', () => {
  const file = join(dir, 'stale.crl');
  touch(file, w.crlPems.rootStale, 0);
  const v = new ChainValidator([w.root.cert], new FileCrlSource([file], { pollMs: 0 }), { now: () => NOW });
  expectCode(() => v.validate(w.rsaLeaf.cert, { purpose: 'signature' }), 'cert.crl_stale');
});

test('the poll timer is injectable, unref\'d, and stopped by close()', () => {
  const file = join(dir, 'timer.crl');
  touch(file, w.crlPems.root, 0);
  const calls: string[] = [];
  let tick: (() => void) | undefined;
  const timer = { unref: () => calls.push('unref') };
  const source = new FileCrlSource([file], {
    pollMs: 1000,
    setInterval: (fn, ms) => {
      calls.push(`set ${ms}`);
      tick = fn;
      return timer;
    },
    clearInterval: (t) => calls.push(t === timer ? 'clear' : 'clear?'),
  });
  touch(file, w.crlPems.rootNewer, 5);
  tick!();
  expect(source.version).toBe(2);
  source.close();
  expect(calls).toEqual(['set 1000', 'unref', 'clear']);
});

test('a missing CRL file at startup is config.unreadable', () => {
  expectCode(() => new FileCrlSource([join(dir, 'nope.crl')], { pollMs: 0 }), 'config.unreadable');
});
