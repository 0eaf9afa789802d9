import { X509Certificate } from 'node:crypto';
import { explicit, seq, tlv } from '../../src/asn1/der-write';
import { ChainValidator } from '../../src/pki/chain';
import { crlPem, EKU, generateKey, issueCertificate, issueCrl, KeyPair, KU, SubjectFields } from '../../src/demo/pki/issue';
import { parseCrl } from '../../src/pki/crl';
import { StaticCrlSource } from '../../src/pki/crl-source';
import * as x509 from '../../src/pki/x509';
import { expectCode } from '../support/expect-code';

/**
 * The RFC 5280 rules behind the x509-limbo agreement, on the shapes an NCA-style PKI actually
 * takes: a root rollover by cross-certificate, name constraints on directory names, anchors that
 * are checked too, and CRLs that are not complete.
 */

const MIN = 60_000;
const now = Date.now();
const nb = new Date(now - MIN);
const na = new Date(now + 365 * 24 * 60 * MIN);

interface Ca {
  cert: x509.X509Certificate;
  key: KeyPair;
}

const node = (c: x509.X509Certificate): X509Certificate => new X509Certificate(Buffer.from(c.rawData));

async function root(cn: string, extra: Partial<Parameters<typeof issueCertificate>[0]> = {}): Promise<Ca> {
  const key = await generateKey('p256');
  return { key, cert: await issueCertificate({ subject: { cn, c: 'KZ' }, subjectKey: key, notBefore: nb, notAfter: na, ca: {}, ...extra }) };
}

async function leaf(issuer: Ca, subject: SubjectFields): Promise<X509Certificate> {
  const key = await generateKey('p256');
  return node(await issueCertificate({ subject, subjectKey: key, issuer, notBefore: nb, notAfter: na, keyUsages: KU.digitalSignature, extKeyUsages: [EKU.clientAuth] }));
}

const noRevocation = (anchors: X509Certificate[]): ChainValidator => new ChainValidator(anchors, new StaticCrlSource([]), { revocation: 'disabled' });

describe('path building backtracks', () => {
  test('root rollover: a leaf of the new root validates through the cross-certificate to the old anchor, although the self-signed new root is tried first', async () => {
    const oldRoot = await root('NCA Root');
    const newRoot = await root('NCA Root G2');
    const cross = await issueCertificate({ subject: { cn: 'NCA Root G2', c: 'KZ' }, subjectKey: newRoot.key, issuer: oldRoot, notBefore: nb, notAfter: na, ca: {} });
    const person = await leaf(newRoot, { cn: 'Person', c: 'KZ' });
    const v = noRevocation([node(oldRoot.cert)]);
    const path = v.validate(person, { purpose: 'tls-client', intermediates: [node(newRoot.cert), node(cross)] });
    expect(path.chain.map((c) => c.fingerprint256)).toEqual([person.fingerprint256, node(cross).fingerprint256, node(oldRoot.cert).fingerprint256]);
  });
});

describe('trust anchors are checked too', () => {
  test('an anchor without basicConstraints is not a CA', async () => {
    const key = await generateKey('p256');
    const bad = { key, cert: await issueCertificate({ subject: { cn: 'Loose Root', c: 'KZ' }, subjectKey: key, notBefore: nb, notAfter: na, basicConstraints: 'omit', keyUsages: KU.keyCertSign | KU.cRLSign }) };
    const person = await leaf(bad, { cn: 'Person', c: 'KZ' });
    expectCode(() => noRevocation([node(bad.cert)]).validate(person, { purpose: 'tls-client' }), 'cert.not_ca');
  });
  test('an anchor with an unknown critical extension is refused', async () => {
    const bad = await root('Odd Root', { extraExtensions: [new x509.Extension('1.2.3.4.5', true, new Uint8Array([0x05, 0x00]))] });
    const person = await leaf(bad, { cn: 'Person', c: 'KZ' });
    expectCode(() => noRevocation([node(bad.cert)]).validate(person, { purpose: 'tls-client' }), 'cert.critical_extension');
  });
});

describe('name constraints of the anchor apply to the path', () => {
  // permittedSubtrees: directoryName C=KZ, O=Police (demo) — a CA that may certify one organisation only.
  const printable = (s: string): Buffer => tlv(0x13, Buffer.from(s, 'latin1'));
  const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
  const atv = (oid: Buffer, v: Buffer): Buffer => tlv(0x31, seq(oid, v));
  const C = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x06]);
  const O = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x0a]);
  const permitted = seq(explicit(0, seq(explicit(4, seq(atv(C, printable('KZ')), atv(O, utf8('Police (demo)')))))));

  test('a subject inside the permitted directory subtree passes, one outside is refused', async () => {
    const ca = await root('Police CA', { extraExtensions: [new x509.Extension('2.5.29.30', true, new Uint8Array(permitted))] });
    const v = noRevocation([node(ca.cert)]);
    v.validate(await leaf(ca, { cn: 'Officer', o: 'Police (demo)', c: 'KZ' }), { purpose: 'tls-client' });
    const leafOutside = await leaf(ca, { cn: 'Banker', o: 'Some Bank (demo)', c: 'KZ' });
    expectCode(() => v.validate(leafOutside, { purpose: 'tls-client' }), 'cert.name_constraints');
  });
  test('a non-critical nameConstraints is refused (RFC 5280 requires critical)', async () => {
    const ca = await root('Police CA', { extraExtensions: [new x509.Extension('2.5.29.30', false, new Uint8Array(permitted))] });
    const person = await leaf(ca, { cn: 'Officer', o: 'Police (demo)', c: 'KZ' });
    expectCode(() => noRevocation([node(ca.cert)]).validate(person, { purpose: 'tls-client' }), 'cert.name_constraints');
  });
});

describe('only complete CRLs are loaded', () => {
  const crl = async (ca: Ca, o: { crlNumber?: number; ext?: x509.Extension[] }): Promise<Buffer> =>
    Buffer.from(crlPem(await issueCrl({ issuer: ca, revokedSerials: [], thisUpdate: nb, nextUpdate: na, ...(o.crlNumber !== undefined ? { crlNumber: o.crlNumber } : {}), ...(o.ext ? { extraExtensions: o.ext } : {}) })));

  test('a delta CRL, an indirect CRL, a CRL for some reasons only and a CRL without cRLNumber are refused', async () => {
    const ca = await root('CRL CA');
    const delta = new x509.Extension('2.5.29.27', true, new Uint8Array([0x02, 0x01, 0x01]));
    const indirect = new x509.Extension('2.5.29.28', true, new Uint8Array(seq(tlv(0x84, Buffer.from([0xff])))));
    const someReasons = new x509.Extension('2.5.29.28', true, new Uint8Array(seq(tlv(0x83, Buffer.from([0x07, 0x80])))));
    const cases = [
      ['delta', await crl(ca, { crlNumber: 2, ext: [delta] }), /delta/],
      ['indirect', await crl(ca, { crlNumber: 2, ext: [indirect] }), /indirect/],
      ['some reasons', await crl(ca, { crlNumber: 2, ext: [someReasons] }), /some revocation reasons/],
      ['no number', await crl(ca, {}), /cRLNumber/],
    ] as const;
    for (const [what, der, why] of cases) expect(expectCode(() => parseCrl(der, what), 'config.invalid').detail).toMatch(why);
  });

  test('a CRL scoped to one distribution point (issuingDistributionPoint) speaks only for certificates that name it', async () => {
    const ca = await root('CRL CA');
    const dp = (url: string): Buffer => seq(tlv(0xa0, tlv(0xa0, tlv(0x86, Buffer.from(url, 'latin1')))));
    const scoped = parseCrl(await crl(ca, { crlNumber: 3, ext: [new x509.Extension('2.5.29.28', true, new Uint8Array(dp('http://crl.example/part1.crl')))] }), 'part1');
    const v = new ChainValidator([node(ca.cert)], new StaticCrlSource([scoped]));
    const inPart = async (url: string): Promise<X509Certificate> => {
      const key = await generateKey('p256');
      return node(await issueCertificate({ subject: { cn: 'Person', c: 'KZ' }, subjectKey: key, issuer: ca, notBefore: nb, notAfter: na, keyUsages: KU.digitalSignature, extKeyUsages: [EKU.clientAuth], crlUrl: url }));
    };
    v.validate(await inPart('http://crl.example/part1.crl'), { purpose: 'tls-client' });
    const inPart2 = await inPart('http://crl.example/part2.crl');
    const e = expectCode(() => v.validate(inPart2, { purpose: 'tls-client' }), 'cert.crl_missing');
    expect(e.detail).toMatch(/does not cover/);
  });
  test('of two CRLs of one issuer the higher cRLNumber is in force', async () => {
    const ca = await root('CRL CA');
    const older = parseCrl(await crl(ca, { crlNumber: 7 }), 'seven');
    const newer = parseCrl(await crl(ca, { crlNumber: 8 }), 'eight');
    expect(new StaticCrlSource([newer, older]).forIssuer(older.issuer)?.source).toBe('eight');
  });
});
