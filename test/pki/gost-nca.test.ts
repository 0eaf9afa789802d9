import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { algId, oid, seq } from '../../src/asn1/der-write';
import { Art50Error } from '../../src/errors';
import {
  encodeGostPkcs8,
  encodeGostSpki,
  generateGostKey,
  GOST_OID,
  gostPublicKey,
  gostSign,
  gostVerify,
  kalkanSignatureToRfc,
  parseGostSpki,
  streebog,
} from '../../src/pki/gost';
import { gostOpenssl, requireGostEngine, scratchDir } from './gost-openssl';

const NCA = GOST_OID.nca;

describe('GOST keys in the NCA (Kazakhstan) arc', () => {
  beforeAll(() => requireGostEngine());

  it('writes and reads an NCA 512-bit SubjectPublicKeyInfo shaped like NCA certificates', () => {
    const priv = generateGostKey(NCA.paramSet512A);
    expect(priv.digestOid).toBe(NCA.digest512);
    const pub = gostPublicKey(priv);
    const spki = encodeGostSpki(pub);
    // SEQUENCE { SEQUENCE { 1.2.398.3.10.1.1.2.2, SEQUENCE { 1.2.398.3.10.1.1.2.2.1, 1.2.398.3.10.1.3.3 } },
    //            BIT STRING { OCTET STRING (128) } } — the header NCA's GOST-2015-512 certificates carry
    expect(spki.subarray(0, 47).toString('hex')).toBe(
      '3081ac302306092a830e030a010102023016060a2a830e030a010102020106082a830e030a01030303818400048180',
    );
    expect(parseGostSpki(spki)).toEqual(pub);
  });

  it('names the same curve openssl calls tc26-512-A: an openssl signature verifies under the NCA key', () => {
    const { dir, cleanup } = scratchDir();
    try {
      const priv = generateGostKey(GOST_OID.paramSet.tc26_512_A);
      const keyPath = join(dir, 'k.pem');
      writeFileSync(keyPath, `-----BEGIN PRIVATE KEY-----\n${encodeGostPkcs8(priv).toString('base64')}\n-----END PRIVATE KEY-----\n`);
      const msg = randomBytes(100);
      const sig = gostOpenssl(['dgst', '-md_gost12_512', '-sign', keyPath], msg);
      const ncaPub = parseGostSpki(encodeGostSpki({ ...gostPublicKey(priv), paramSet: NCA.paramSet512A, digestOid: NCA.digest512 }));
      expect(gostVerify(ncaPub, streebog(512, msg), sig)).toBe(true);
    } finally {
      cleanup();
    }
  });

  it('converts between the Kalkan signature layout (r‖s little-endian) and RFC 4491 s‖r', () => {
    for (const paramSet of [NCA.paramSet256A, NCA.paramSet512A]) {
      const priv = generateGostKey(paramSet);
      const pub = gostPublicKey(priv);
      const digest = streebog(priv.bits, Buffer.from('document'));
      const rfc = gostSign(priv, digest);
      const kalkan = kalkanSignatureToRfc(rfc); // the map is its own inverse
      const len = priv.bits / 8;
      // r‖s little-endian: r (the second half of s‖r) comes first, byte-reversed
      expect(kalkan.subarray(0, len)).toEqual(Buffer.from(rfc.subarray(len)).reverse());
      expect(gostVerify(pub, digest, kalkanSignatureToRfc(kalkan))).toBe(true);
      expect(gostVerify(pub, digest, kalkan)).toBe(false);
    }
  });

  it('refuses a key that mixes the NCA and tc26 arcs', () => {
    const pub = gostPublicKey(generateGostKey(NCA.paramSet512A));
    const keyBits = encodeGostSpki(pub).subarray(40); // after the 3-byte header and the 37-byte AlgorithmIdentifier: BIT STRING { OCTET STRING x‖y }
    const spkiWith = (keyOid: string, paramSet: string): Buffer => seq(algId(keyOid, seq(oid(paramSet), oid(NCA.digest512))), keyBits);
    expect(parseGostSpki(spkiWith(NCA.key512, NCA.paramSet512A))).toEqual(pub); // the control
    for (const [keyOid, paramSet] of [
      [NCA.key512, GOST_OID.paramSet.tc26_512_A],
      [GOST_OID.key512, NCA.paramSet512A],
    ] as const) {
      let code = 'no error';
      try {
        parseGostSpki(spkiWith(keyOid, paramSet));
      } catch (e) {
        code = e instanceof Art50Error ? `${e.code}: ${e.detail}` : 'raw';
      }
      expect(code).toMatch(/^cert\.malformed: .*unknown parameter set/);
    }
  });
});
