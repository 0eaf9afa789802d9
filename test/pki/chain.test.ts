import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ChainValidator } from '../../src/pki/chain';
import type { Crl } from '../../src/pki/crl';
import { StaticCrlSource } from '../../src/pki/crl-source';
import { ncaSubject } from '../../src/pki/cert-info';
import { loadTrust } from '../../src/pki/trust';
import { expectCode } from '../support/expect-code';
import { buildWorld, NOW, World } from './fixtures';

let w: World;
beforeAll(async () => {
  w = await buildWorld();
});

function validator(crls?: Crl[], now = NOW): ChainValidator {
  const c = w.crls;
  return new ChainValidator([w.root.cert], new StaticCrlSource(crls ?? [c.root, c.inter, c.notCa, c.pathLenInter, c.subInter]), { now: () => now });
}

describe('ChainValidator accepts', () => {
  test('a leaf under an intermediate, returning the chain leaf → anchor and NCA subject', () => {
    const v = validator().validate(w.leaf.cert, { purpose: 'signature', intermediates: [w.inter.cert] });
    expect(v.chain.map((c) => c.subject)).toEqual([w.leaf.cert.subject, w.inter.cert.subject, w.root.cert.subject]);
    expect(v.subject).toEqual({ cn: 'Leaf Person', iin: '850315300121', bin: '990440000127', o: 'Test Police (test)' });
    expect(v.fingerprint).toBe(w.leaf.cert.fingerprint256.replace(/:/g, '').toLowerCase());
  });
  test('RSA-2048 and P-384 leaves directly under the root', () => {
    const v = validator();
    expect(v.validate(w.rsaLeaf.cert, { purpose: 'signature' }).chain).toHaveLength(2);
    expect(v.validate(w.p384Leaf.cert, { purpose: 'signature' }).chain).toHaveLength(2);
  });
  test('the demo world from keys.example with its CRL', () => {
    const v = loadTrust({ anchors: ['keys.example/ca/root.pem'], crls: ['keys.example/ca/crl.pem'], crlOptions: { pollMs: 0 } });
    const auth = new X509Certificate(readFileSync('keys.example/police/investigator-1.pem'));
    const sign = new X509Certificate(readFileSync('keys.example/police/investigator-1.sign.pem'));
    expect(v.validate(sign, { purpose: 'signature' }).subject.iin).toMatch(/^\d{12}$/);
    expect(v.validate(auth, { purpose: 'tls-client' }).chain).toHaveLength(2);
    expectCode(() => v.validate(auth, { purpose: 'tls-server' }), 'cert.key_usage');
    // NCA profile: the AUTH key may not sign documents, the SIGN key may not open TLS sessions.
    expectCode(() => v.validate(auth, { purpose: 'signature' }), 'cert.key_usage');
    expectCode(() => v.validate(sign, { purpose: 'tls-client' }), 'cert.key_usage');
    v.close();
  });
  test('a cached signer is still re-checked against time and CRLs', () => {
    let now = NOW;
    const v = new ChainValidator([w.root.cert], new StaticCrlSource([w.crls.root]), { now: () => now });
    v.validate(w.rsaLeaf.cert, { purpose: 'signature' });
    now = new Date(NOW.getTime() + 400 * 24 * 3600 * 1000);
    expectCode(() => v.validate(w.rsaLeaf.cert, { purpose: 'signature' }), 'cert.expired');
  });
});

describe('ChainValidator refuses, each with its own code', () => {
  test('certificate from another CA (same issuer name, other key)', () => {
    expectCode(() => validator().validate(w.foreignLeaf.cert, { purpose: 'signature' }), 'cert.untrusted');
  });
  test('leaf under an intermediate that is not supplied', () => {
    expectCode(() => validator().validate(w.leaf.cert, { purpose: 'signature' }), 'cert.untrusted');
  });
  test('self-signed leaf', () => {
    expectCode(() => validator().validate(w.selfSigned.cert, { purpose: 'signature' }), 'cert.self_signed');
  });
  test('expired now', () => {
    expectCode(() => validator().validate(w.expired.cert, { purpose: 'signature' }), 'cert.expired');
  });
  test('expired now although valid at signing time (both must hold)', () => {
    const at = new Date(NOW.getTime() - 10 * 24 * 3600 * 1000);
    expectCode(() => validator().validate(w.expired.cert, { purpose: 'signature', at }), 'cert.expired');
  });
  test('not yet valid', () => {
    expectCode(() => validator().validate(w.notYetValid.cert, { purpose: 'signature' }), 'cert.not_yet_valid');
  });
  test('valid now but signed before notBefore', () => {
    const at = new Date(w.rsaLeaf.cert.validFrom);
    at.setTime(at.getTime() - 3600_000);
    expectCode(() => validator().validate(w.rsaLeaf.cert, { purpose: 'signature', at }), 'cert.not_yet_valid');
  });
  test('revoked', () => {
    expectCode(() => validator().validate(w.revoked.cert, { purpose: 'signature' }), 'cert.revoked');
  });
  test('revoked in keys.example (investigator-revoked)', () => {
    const v = loadTrust({ anchors: ['keys.example/ca/root.pem'], crls: ['keys.example/ca/crl.pem'], crlOptions: { pollMs: 0 } });
    for (const f of ['investigator-revoked.pem', 'investigator-revoked.sign.pem']) {
      const cert = new X509Certificate(readFileSync(`keys.example/police/${f}`));
      expectCode(() => v.validate(cert, { purpose: f.includes('.sign') ? 'signature' : 'tls-client' }), 'cert.revoked');
    }
  });
  test('stale CRL (fail closed)', () => {
    expectCode(() => validator([w.crls.rootStale]).validate(w.rsaLeaf.cert, { purpose: 'signature' }), 'cert.crl_stale');
  });
  test('no CRL for the issuer', () => {
    expectCode(() => validator([w.crls.root]).validate(w.leaf.cert, { purpose: 'signature', intermediates: [w.inter.cert] }), 'cert.crl_missing');
  });
  test('no CRL at all while revocation is required', () => {
    expectCode(() => validator([]).validate(w.rsaLeaf.cert, { purpose: 'signature' }), 'cert.crl_missing');
  });
  test('CRL with the right issuer name but signed by another key', () => {
    expectCode(() => validator([w.crls.rootByForeign]).validate(w.rsaLeaf.cert, { purpose: 'signature' }), 'cert.crl_missing');
  });
  test('revocation disabled skips CRLs entirely', () => {
    const v = new ChainValidator([w.root.cert], new StaticCrlSource([]), { revocation: 'disabled', now: () => NOW });
    expect(v.validate(w.revoked.cert, { purpose: 'signature' }).chain).toHaveLength(2);
  });
  test('leaf without digitalSignature/nonRepudiation', () => {
    expectCode(() => validator().validate(w.noDigitalSignature.cert, { purpose: 'signature' }), 'cert.key_usage');
  });
  test('tls-client needs clientAuth when EKU is present; tls-server needs serverAuth', () => {
    expect(validator().validate(w.rsaLeaf.cert, { purpose: 'tls-client' }).chain).toHaveLength(2);
    expectCode(() => validator().validate(w.rsaLeaf.cert, { purpose: 'tls-server' }), 'cert.key_usage');
  });
  test('intermediate without CA:TRUE', () => {
    expectCode(() => validator().validate(w.underNotCa.cert, { purpose: 'signature', intermediates: [w.notCa.cert] }), 'cert.not_ca');
  });
  test('path length exceeded', () => {
    expectCode(
      () => validator().validate(w.underSubInter.cert, { purpose: 'signature', intermediates: [w.subInter.cert, w.pathLenInter.cert] }),
      'cert.path_length',
    );
  });
  test('unknown critical extension', () => {
    expectCode(() => validator().validate(w.criticalExt.cert, { purpose: 'signature' }), 'cert.critical_extension');
  });
  test('RSA-1024 key', () => {
    expectCode(() => validator().validate(w.weakKey.cert, { purpose: 'signature' }), 'cert.weak_key');
  });
});

test('ncaSubject reads IIN from serialNumber and BIN from OU', () => {
  const cert = new X509Certificate(readFileSync('keys.example/police/head-1.pem'));
  expect(ncaSubject(cert)).toEqual({ cn: 'Saule Zhaksybekova', o: 'Police Department of Almaty (demo)', bin: '990440000127', iin: '721102300235' });
  expect(ncaSubject(new X509Certificate(readFileSync('keys.example/gateway/seal.pem'))).iin).toBeUndefined();
});
