import { Art50Error } from '../../src/errors';
import {
  encodeGostPkcs8,
  encodeGostSpki,
  generateGostKey,
  GOST_OID,
  gostCurve,
  GostPublicKey,
  gostPublicKey,
  gostSign,
  gostVerify,
  parseGostPkcs8,
  parseGostSpki,
  streebog,
} from '../../src/pki/gost';

const P = GOST_OID.paramSet;

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof Art50Error) return e.code;
    return `raw ${(e as Error).name}: ${(e as Error).message}`;
  }
  return 'no error';
}

/** A point on the tc26-256-A curve (y² = x³ + ax + b holds) outside its order-q subgroup (cofactor 4). */
function pointOutsideSubgroup(): GostPublicKey {
  const curve = gostCurve(P.tc26_256_A)!;
  const { Fp } = curve.Point;
  const { a, b } = curve.Point.CURVE();
  for (let x = 1n; ; x++) {
    const rhs = Fp.add(Fp.add(Fp.mul(Fp.sqr(x), x), Fp.mul(a, x)), b);
    let y: bigint;
    try {
      y = Fp.sqrt(rhs);
    } catch {
      continue;
    }
    const pt = curve.Point.fromAffine({ x, y });
    let inSubgroup: boolean;
    try {
      inSubgroup = pt.isTorsionFree();
    } catch {
      inSubgroup = false; // q·P has order 2: noble cannot even represent it (Y = 0)
    }
    if (!inSubgroup) return { bits: 256, paramSet: P.tc26_256_A, digestOid: GOST_OID.digest256, x, y };
  }
}

describe('GOST: malformed keys and signatures are refused with a domain error', () => {
  const priv = generateGostKey(P.tc26_256_A);
  const pub = gostPublicKey(priv);
  const spki = encodeGostSpki(pub);
  const pkcs8 = encodeGostPkcs8(priv);

  it('round-trips what it writes', () => {
    expect(parseGostSpki(spki)).toEqual(pub);
    expect(parseGostPkcs8(pkcs8)).toEqual(priv);
  });

  it('refuses malformed SubjectPublicKeyInfo with cert.malformed (or the caller’s code)', () => {
    const cases: Record<string, Buffer> = {
      empty: Buffer.alloc(0),
      garbage: Buffer.from('not der at all'),
      truncated: spki.subarray(0, spki.length - 3),
      trailing: Buffer.concat([spki, Buffer.from([0])]),
      // an RSA SubjectPublicKeyInfo header: a key of another algorithm
      otherAlgorithm: Buffer.from(spki.toString('hex').replace('2a85030701010101', '2a864886f70d0101'), 'hex'),
      unknownParamSet: Buffer.from(spki.toString('hex').replace('2a850307010201010', '2a850307010201090'), 'hex'),
      // x‖y altered: the point is no longer on the curve
      offCurve: Buffer.from(spki.toString('hex').slice(0, -2) + (spki[spki.length - 1]! ^ 1).toString(16).padStart(2, '0'), 'hex'),
      outsideSubgroup: encodeGostSpki(pointOutsideSubgroup()),
      // a 256-bit key claiming a 512-bit curve
      wrongSizeCurve: Buffer.from(spki.toString('hex').replace('2a8503070102010101', '2a8503070102010201'), 'hex'),
    };
    for (const [name, der] of Object.entries(cases)) {
      expect([name, der.equals(spki)]).toEqual([name, false]); // the edit took effect
      expect([name, codeOf(() => parseGostSpki(der))]).toEqual([name, 'cert.malformed']);
    }
    expect(codeOf(() => parseGostSpki(cases.garbage!, 'cms.malformed'))).toBe('cms.malformed');
    expect(codeOf(() => parseGostSpki(cases.offCurve!, 'cms.malformed'))).toBe('cms.malformed');
  });

  it('refuses malformed PKCS#8 with cert.malformed (or the caller’s code)', () => {
    const hex = pkcs8.toString('hex');
    const cases: Record<string, Buffer> = {
      empty: Buffer.alloc(0),
      truncated: pkcs8.subarray(0, 20),
      noKey: pkcs8.subarray(0, pkcs8.length - 34),
      badVersion: Buffer.from(hex.replace('020100', '020105'), 'hex'),
      // 31 raw octets: neither a whole value nor a DER element
      shortValue: (() => {
        const b = Buffer.from(pkcs8);
        b[1] = b[1]! - 1;
        b[b.length - 33] = 31;
        return b.subarray(0, b.length - 1);
      })(),
      zero: Buffer.concat([pkcs8.subarray(0, pkcs8.length - 32), Buffer.alloc(32)]),
      otherAlgorithm: Buffer.from(hex.replace('2a85030701010101', '2a864886f70d0101'), 'hex'),
    };
    for (const [name, der] of Object.entries(cases)) {
      expect([name, der.equals(pkcs8)]).toEqual([name, false]); // the edit took effect
      expect([name, codeOf(() => parseGostPkcs8(der))]).toEqual([name, 'cert.malformed']);
    }
    expect(codeOf(() => parseGostPkcs8(cases.zero!, 'http.bad_request'))).toBe('http.bad_request');
  });

  it('gostVerify returns false, never throws, on malformed input', () => {
    const digest = streebog(256, Buffer.from('document'));
    const sig = gostSign(priv, digest);
    expect(gostVerify(pub, digest, sig)).toBe(true);
    const q = gostCurve(P.tc26_256_A)!.q;
    const be = (n: bigint): Buffer => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
    const r = sig.subarray(32);
    const s = sig.subarray(0, 32);
    const bad: Array<[string, GostPublicKey, Uint8Array, Uint8Array]> = [
      ['short signature', pub, digest, sig.subarray(1)],
      ['long signature', pub, digest, Buffer.concat([sig, Buffer.from([0])])],
      ['empty signature', pub, digest, Buffer.alloc(0)],
      ['r = 0', pub, digest, Buffer.concat([s, Buffer.alloc(32)])],
      ['s = 0', pub, digest, Buffer.concat([Buffer.alloc(32), r])],
      ['s = q', pub, digest, Buffer.concat([be(q), r])],
      ['r + q', pub, digest, Buffer.concat([s, be(BigInt(`0x${r.toString('hex')}`) + q)])],
      ['512-bit digest', pub, streebog(512, Buffer.from('document')), sig],
      ['unknown parameter set', { ...pub, paramSet: '1.2.3.4' }, digest, sig],
      ['bits mismatch', { ...pub, bits: 512 }, digest, sig],
      ['point off the curve', { ...pub, y: pub.y + 1n }, digest, sig],
      ['point outside the subgroup', pointOutsideSubgroup(), digest, sig],
      ['coordinate out of range', { ...pub, x: -1n }, digest, sig],
    ];
    for (const [name, k, d, sg] of bad) {
      let result: unknown;
      try {
        result = gostVerify(k, d, sg);
      } catch (e) {
        result = `threw ${(e as Error).message}`;
      }
      expect([name, result]).toEqual([name, false]);
    }
  });

  it('signs only a digest of the key’s size with a known parameter set', () => {
    expect(() => gostSign(priv, Buffer.alloc(64))).toThrow(/32-byte digest/);
    expect(() => gostSign({ ...priv, paramSet: '1.2.3' }, Buffer.alloc(32))).toThrow(/unknown GOST parameter set/);
    expect(() => generateGostKey('1.2.3')).toThrow(/unknown GOST parameter set/);
  });
});
