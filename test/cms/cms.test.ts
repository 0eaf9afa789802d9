import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signCms } from '../../src/cms/sign';
import { verifyCms } from '../../src/cms/verify';
import type { SigningIdentity } from '../../src/cms/types';
import { algId, cmsTime, explicit, int, octetString, oid, seq, setOf, tlv } from '../../src/asn1/der-write';
import { OID } from '../../src/asn1/oids';
import { certInfo } from '../../src/pki/cert-info';
import { expectCode } from '../support/expect-code';
import { opensslSign, opensslVerify } from './openssl';

const K = 'keys.example/';
function identity(path: string, rsaPadding?: 'pkcs1' | 'pss'): SigningIdentity {
  return {
    cert: new X509Certificate(readFileSync(`${K}${path}.pem`)),
    key: createPrivateKey(readFileSync(`${K}${path}.key`)),
    ...(rsaPadding ? { rsaPadding } : {}),
  };
}
const DOC = Buffer.from('{"type":"request","version":1,"note":"Қазақ тілі — exact bytes, no canonicalisation"}\n');
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
// keys.example person certificates carry EKU clientAuth only; openssl cms -verify defaults to the
// S/MIME signing purpose, so the interop check runs with -purpose any (the chain is still verified).
const ANY = ['-purpose', 'any'];

describe('signCms → verifyCms and → stock OpenSSL', () => {
  const cases: [string, string, 'pkcs1' | 'pss' | undefined][] = [
    ['RSA PKCS#1 v1.5', 'police/investigator-1', 'pkcs1'],
    ['RSA-PSS', 'police/investigator-1', 'pss'],
    ['ECDSA P-256', 'police/head-1', undefined],
  ];
  test.each(cases)('%s', (_name, path, pad) => {
    const signingTime = new Date('2026-03-04T05:06:07.890Z');
    const der = signCms(DOC, identity(path, pad), { signingTime });
    const v = verifyCms(der);
    expect(v.content.equals(DOC)).toBe(true);
    expect(v.digest).toBe(sha256(DOC));
    expect(v.signingTime.toISOString()).toBe('2026-03-04T05:06:07.000Z');
    expect(v.signer.subject).toContain(path === 'police/head-1' ? 'Saule' : 'Aibek');
    expect(v.certificates).toEqual([]);
    expect(opensslVerify(der, ANY).equals(DOC)).toBe(true);
  });

  test('the chain is included and returned as other certificates', () => {
    const root = new X509Certificate(readFileSync(`${K}ca/root.pem`));
    const v = verifyCms(signCms(DOC, { ...identity('gateway/seal'), chain: [root] }));
    expect(v.certificates.map((c) => c.subject)).toEqual([root.subject]);
  });

  test('signing time after 2049 is a GeneralizedTime and round-trips', () => {
    const at = new Date('2051-01-02T03:04:05Z');
    const v = verifyCms(signCms(DOC, identity('gateway/seal'), { signingTime: at }), { now: at });
    expect(v.signingTime.toISOString()).toBe('2051-01-02T03:04:05.000Z');
  });

  test('an empty document can be signed and verified', () => {
    expect(verifyCms(signCms(Buffer.alloc(0), identity('gateway/seal'))).content.length).toBe(0);
  });
});

describe('documents signed by stock OpenSSL verify', () => {
  test.each([['RSA', 'police/investigator-1'], ['EC', 'police/head-1']])('%s key', (_n, path) => {
    const der = opensslSign(DOC, `${K}${path}`);
    const v = verifyCms(der);
    expect(v.content.equals(DOC)).toBe(true);
    expect(v.digest).toBe(sha256(DOC));
    expect(Math.abs(v.signingTime.getTime() - Date.now())).toBeLessThan(60_000);
  });
  test('PEM output ("-----BEGIN CMS-----")', () => {
    const der = opensslSign(DOC, `${K}police/head-1`, ['-outform', 'PEM']);
    expect(der.toString('latin1')).toContain('-----BEGIN CMS-----');
    expect(verifyCms(der).content.equals(DOC)).toBe(true);
  });
  test('BER streaming output (indefinite lengths, constructed OCTET STRING)', () => {
    const big = Buffer.alloc(20_000, 'a');
    const ber = opensslSign(big, `${K}police/investigator-1`, ['-stream']);
    expect(ber[1]).toBe(0x80); // indefinite length at the top
    expect(verifyCms(ber).content.equals(big)).toBe(true);
  });
  test('signer identified by subjectKeyIdentifier (-keyid)', () => {
    expect(verifyCms(opensslSign(DOC, `${K}police/head-1`, ['-keyid'])).content.equals(DOC)).toBe(true);
  });
  test('SHA-384 and SHA-512 digests', () => {
    expect(verifyCms(opensslSign(DOC, `${K}police/head-1`, ['-md', 'sha384'])).digest).toBe(sha256(DOC));
    expect(verifyCms(opensslSign(DOC, `${K}police/investigator-1`, ['-md', 'sha512'])).digest).toBe(sha256(DOC));
  });
});

/** Build a SignedData by hand, to reach the refusals OpenSSL cannot produce. */
function handmade(o: { attrs: Buffer[]; content?: Buffer; eContentType?: string }): Buffer {
  const id = identity('gateway/seal');
  const info = certInfo(id.cert);
  const set = setOf(...o.attrs);
  const { sign } = require('node:crypto') as typeof import('node:crypto');
  const sig = sign('sha256', set, { key: id.key as import("node:crypto").KeyObject, dsaEncoding: 'der' });
  const serial = Buffer.from(info.serial, 'hex');
  const si = seq(int(1), seq(info.issuer, tlv(0x02, serial[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial)), algId(OID.sha256),
    Buffer.concat([Buffer.from([0xa0]), set.subarray(1)]), algId(OID.ecdsaWithSHA256), octetString(sig));
  const sd = seq(int(1), setOf(algId(OID.sha256)), seq(oid(o.eContentType ?? OID.data), explicit(0, octetString(o.content ?? DOC))),
    tlv(0xa0, id.cert.raw), setOf(si));
  return seq(oid(OID.signedData), explicit(0, sd));
}
const attr = (type: string, v: Buffer): Buffer => seq(oid(type), setOf(v));
const md = attr(OID.messageDigest, octetString(createHash('sha256').update(DOC).digest()));
const ct = attr(OID.contentType, oid(OID.data));
const st = attr(OID.signingTime, cmsTime(new Date()));

describe('verifyCms refuses, each with its own code', () => {
  const good = (): Buffer => signCms(DOC, identity('police/investigator-1'));
  test('the handmade builder itself produces a valid document', () => {
    expect(verifyCms(handmade({ attrs: [ct, md, st] })).content.equals(DOC)).toBe(true);
  });
  test('content changed after signing', () => {
    const der = good();
    const at = der.indexOf(DOC);
    der[at + 5] ^= 0x01;
    expectCode(() => verifyCms(der), 'cms.digest_mismatch');
  });
  test('signature bytes flipped', () => {
    const der = good();
    der[der.length - 1] ^= 0xff;
    expectCode(() => verifyCms(der), 'cms.signature_invalid');
  });
  test('two signers', () => {
    expectCode(() => verifyCms(opensslSign(DOC, '', [], [`${K}police/investigator-1`, `${K}police/head-1`])), 'cms.signer_count');
  });
  test('no signed attributes (openssl -noattr)', () => {
    expectCode(() => verifyCms(opensslSign(DOC, `${K}police/head-1`, ['-noattr'])), 'cms.no_signed_attributes');
  });
  test('detached content', () => {
    const der = opensslSign(DOC, `${K}police/head-1`);
    // re-sign detached: openssl without -nodetach
    const { openssl, tmpFile } = require('./openssl') as typeof import('./openssl');
    const det = openssl(['cms', '-sign', '-binary', '-md', 'sha256', '-outform', 'DER', '-signer', `${K}police/head-1.pem`, '-inkey', `${K}police/head-1.key`, '-in', tmpFile(DOC)]);
    expect(der.length).toBeGreaterThan(det.length);
    expectCode(() => verifyCms(det), 'cms.detached');
  });
  test('signer certificate not included (-nocerts)', () => {
    expectCode(() => verifyCms(opensslSign(DOC, `${K}police/head-1`, ['-nocerts'])), 'cms.signer_cert_missing');
  });
  test('SHA-1 digest is refused before any crypto', () => {
    expectCode(() => verifyCms(opensslSign(DOC, `${K}police/head-1`, ['-md', 'sha1'])), 'cms.unsupported_algorithm');
  });
  test('signingTime missing', () => {
    expectCode(() => verifyCms(handmade({ attrs: [ct, md] })), 'cms.signing_time_missing');
  });
  test('contentType attribute differs from eContentType', () => {
    expectCode(() => verifyCms(handmade({ attrs: [ct, md, st], eContentType: '1.2.840.113549.1.9.16.1.4' })), 'cms.content_type_mismatch');
  });
  test('more certificates than any chain needs', () => {
    const many = ['police/investigator-1', 'police/investigator-2', 'police/investigator-revoked', 'prosecutor/prosecutor-1', 'prosecutor/prosecutor-2',
      'auditor/auditor-1', 'banks/ALFAKZKA', 'banks/BETAKZKA', 'banks/GAMMKZKA', 'gateway/seal', 'gateway/tls'];
    const bundle = join(mkdtempSync(join(tmpdir(), 'art50-many-')), 'many.pem');
    writeFileSync(bundle, many.map((p) => readFileSync(`${K}${p}.pem`, 'utf8')).join(''));
    expectCode(() => verifyCms(opensslSign(DOC, `${K}police/head-1`, ['-certfile', bundle])), 'cms.malformed');
  });
  test('truncated DER', () => {
    const der = good();
    for (const cut of [1, 2, 10, der.length >> 1, der.length - 1]) expectCode(() => verifyCms(der.subarray(0, cut)), 'cms.malformed');
  });
  test('trailing bytes', () => {
    expectCode(() => verifyCms(Buffer.concat([good(), Buffer.from([0])])), 'cms.malformed');
  });
  test('random bytes', () => {
    const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
    for (let i = 0; i < 200; i++) {
      const r = randomBytes(1 + (i % 64) * 7);
      if (i % 2 === 0) r[0] = 0x30; // make it look like DER to get past the first check
      expectCode(() => verifyCms(r), 'cms.malformed');
    }
  });
  test('empty input', () => {
    expectCode(() => verifyCms(Buffer.alloc(0)), 'cms.malformed');
  });
  test('a certificate instead of a CMS document', () => {
    expectCode(() => verifyCms(new X509Certificate(readFileSync(`${K}ca/root.pem`)).raw), 'cms.malformed');
  });
});
