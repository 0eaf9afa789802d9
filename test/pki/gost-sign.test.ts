import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  encodeGostPkcs8,
  encodeGostSpki,
  generateGostKey,
  GOST_OID,
  GostBits,
  GostPrivateKey,
  GostPublicKey,
  gostPublicKey,
  gostSign,
  gostVerify,
  parseGostPkcs8,
  parseGostSpki,
  streebog,
} from '../../src/pki/gost';
import { gostOpenssl, requireGostEngine, scratchDir } from './gost-openssl';

const P = GOST_OID.paramSet;
/** gost engine paramset names → the OID it writes into the key. */
const SETS: Array<{ bits: GostBits; name: string; oid: string }> = [
  { bits: 256, name: 'A', oid: P.cryptoProA },
  { bits: 256, name: 'B', oid: P.cryptoProB },
  { bits: 256, name: 'C', oid: P.cryptoProC },
  { bits: 256, name: 'XA', oid: P.cryptoProXchA },
  { bits: 256, name: 'XB', oid: P.cryptoProXchB },
  { bits: 256, name: 'TCA', oid: P.tc26_256_A },
  { bits: 256, name: 'TCB', oid: P.tc26_256_B },
  { bits: 256, name: 'TCC', oid: P.tc26_256_C },
  { bits: 256, name: 'TCD', oid: P.tc26_256_D },
  { bits: 512, name: 'A', oid: P.tc26_512_A },
  { bits: 512, name: 'B', oid: P.tc26_512_B },
  { bits: 512, name: 'C', oid: P.tc26_512_C },
];

const pemBody = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
const toPem = (der: Buffer, label: string): string =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;

interface OpensslKey {
  set: (typeof SETS)[number];
  keyPath: string;
  pubPath: string;
  priv: GostPrivateKey;
  pub: GostPublicKey;
  spkiDer: Buffer;
}

describe('GOST R 34.10-2012 keys and signatures, interop with openssl -engine gost', () => {
  let dir: string;
  let cleanup: () => void;
  const keys: OpensslKey[] = [];

  beforeAll(() => {
    requireGostEngine();
    ({ dir, cleanup } = scratchDir());
    for (const set of SETS) {
      const keyPath = join(dir, `k${set.bits}${set.name}.pem`);
      const pubPath = join(dir, `p${set.bits}${set.name}.pem`);
      gostOpenssl(['genpkey', '-algorithm', `gost2012_${set.bits}`, '-pkeyopt', `paramset:${set.name}`, '-out', keyPath]);
      gostOpenssl(['pkey', '-in', keyPath, '-pubout', '-out', pubPath]);
      const spkiDer = pemBody(readFileSync(pubPath, 'utf8'));
      keys.push({
        set,
        keyPath,
        pubPath,
        priv: parseGostPkcs8(pemBody(readFileSync(keyPath, 'utf8'))),
        pub: parseGostSpki(spkiDer),
        spkiDer,
      });
    }
  });
  afterAll(() => cleanup?.());

  it('parses openssl-generated keys of every parameter set and derives the same public key', () => {
    for (const k of keys) {
      const label = `${k.set.bits}/${k.set.name}`;
      expect([label, k.priv.bits, k.priv.paramSet]).toEqual([label, k.set.bits, k.set.oid]);
      expect([label, k.pub.paramSet, k.pub.digestOid]).toEqual([label, k.set.oid, k.set.bits === 256 ? GOST_OID.digest256 : GOST_OID.digest512]);
      const derived = gostPublicKey(k.priv);
      expect([label, derived.x, derived.y]).toEqual([label, k.pub.x, k.pub.y]);
      // Our encoder writes the very bytes openssl wrote.
      expect([label, encodeGostSpki(k.pub).toString('hex')]).toEqual([label, k.spkiDer.toString('hex')]);
    }
  });

  it('verifies signatures made by openssl dgst -sign, and refuses them altered', () => {
    for (const k of keys) {
      const label = `${k.set.bits}/${k.set.name}`;
      const msg = randomBytes(200);
      const sig = gostOpenssl(['dgst', `-md_gost12_${k.set.bits}`, '-sign', k.keyPath], msg);
      const digest = streebog(k.set.bits, msg);
      expect([label, sig.length]).toEqual([label, k.set.bits / 4]);
      expect([label, gostVerify(k.pub, digest, sig)]).toEqual([label, true]);
      const flipped = Buffer.from(sig);
      flipped[5]! ^= 0x01;
      expect([label, gostVerify(k.pub, digest, flipped)]).toEqual([label, false]);
      const otherMsg = Buffer.from(msg);
      otherMsg[0]! ^= 0x80;
      expect([label, gostVerify(k.pub, streebog(k.set.bits, otherMsg), sig)]).toEqual([label, false]);
      const otherKey = keys.find((o) => o !== k && o.set.bits === k.set.bits && o.set.oid === k.set.oid) ?? keys.find((o) => o !== k && o.set.bits === k.set.bits)!;
      expect([label, gostVerify(otherKey.pub, digest, sig)]).toEqual([label, false]);
    }
  });

  it('verifies openssl pkeyutl signatures over a digest (the digest is read little-endian)', () => {
    for (const k of [keys[0]!, keys[5]!, keys[11]!]) {
      const digest = streebog(k.set.bits, randomBytes(50));
      const sig = gostOpenssl(['pkeyutl', '-sign', '-inkey', k.keyPath], digest);
      expect(gostVerify(k.pub, digest, sig)).toBe(true);
    }
  });

  it('makes signatures that openssl dgst -verify accepts', () => {
    for (const k of keys) {
      const msg = randomBytes(333);
      const sig = gostSign(k.priv, streebog(k.set.bits, msg));
      const sigPath = join(dir, 'sig.bin');
      writeFileSync(sigPath, sig);
      const out = gostOpenssl(['dgst', `-md_gost12_${k.set.bits}`, '-verify', k.pubPath, '-signature', sigPath], msg).toString();
      expect(`${k.set.bits}/${k.set.name}: ${out.trim()}`).toBe(`${k.set.bits}/${k.set.name}: Verified OK`);
      // and openssl refuses it for another message
      expect(() => gostOpenssl(['dgst', `-md_gost12_${k.set.bits}`, '-verify', k.pubPath, '-signature', sigPath], Buffer.concat([msg, Buffer.from('x')]))).toThrow(
        /signature mismatch|Verification failure/,
      );
      expect(gostVerify(k.pub, streebog(k.set.bits, msg), sig)).toBe(true);
    }
  });

  it('writes keys openssl reads: generateGostKey → encodeGostPkcs8 → openssl pkey → the same public key', () => {
    for (const oid of [P.tc26_256_A, P.cryptoProA, P.tc26_256_B, P.tc26_512_A, P.tc26_512_C]) {
      const priv = generateGostKey(oid);
      const keyPath = join(dir, 'ours.pem');
      writeFileSync(keyPath, toPem(encodeGostPkcs8(priv), 'PRIVATE KEY'));
      const spki = pemBody(gostOpenssl(['pkey', '-in', keyPath, '-pubout']).toString());
      const pub = parseGostSpki(spki);
      expect([oid, pub.x, pub.y]).toEqual([oid, gostPublicKey(priv).x, gostPublicKey(priv).y]);
      expect(parseGostPkcs8(encodeGostPkcs8(priv))).toEqual(priv);
      // openssl signs with our key, we verify; we sign, openssl verifies
      const msg = randomBytes(40);
      const bits = priv.bits;
      const sig = gostOpenssl(['dgst', `-md_gost12_${bits}`, '-sign', keyPath], msg);
      expect(gostVerify(pub, streebog(bits, msg), sig)).toBe(true);
    }
  });

  it('reads the other encodings of the private value that the engine reads (wrapped OCTET STRING, INTEGER, masked)', () => {
    const k = keys[0]!; // CryptoPro-A, 256
    const der = pemBody(readFileSync(k.keyPath, 'utf8'));
    const raw = der.subarray(der.length - 32); // the engine writes the bare little-endian value last
    const prefix = der.subarray(0, der.length - 34); // up to the privateKey OCTET STRING header
    const withPrivateKey = (inner: Buffer): Buffer => {
      const body = Buffer.concat([prefix.subarray(2), Buffer.from([0x04, inner.length]), inner]);
      return Buffer.concat([Buffer.from([0x30, body.length]), body]);
    };
    const wrapped = withPrivateKey(Buffer.concat([Buffer.from([0x04, 0x20]), raw]));
    const be = Buffer.from(raw).reverse();
    const intBody = be[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), be]) : be;
    const integer = withPrivateKey(Buffer.concat([Buffer.from([0x02, intBody.length]), intBody]));
    // masked: value·mask ≡ d (mod q) with mask = 2 → value = d·2⁻¹
    const q = BigInt('0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893');
    const inv2 = (q + 1n) / 2n;
    const maskedValue = (k.priv.d * inv2) % q;
    const le = (n: bigint): Buffer => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
    const masked = withPrivateKey(Buffer.concat([le(maskedValue), le(2n)]));
    for (const [name, variant] of [['wrapped', wrapped], ['integer', integer], ['masked', masked]] as const) {
      expect([name, parseGostPkcs8(variant).d]).toEqual([name, k.priv.d]);
      const p = join(dir, `${name}.pem`);
      writeFileSync(p, toPem(variant, 'PRIVATE KEY'));
      const spki = pemBody(gostOpenssl(['pkey', '-in', p, '-pubout']).toString());
      expect([name, parseGostSpki(spki).x]).toEqual([name, k.pub.x]);
    }
  });
});
