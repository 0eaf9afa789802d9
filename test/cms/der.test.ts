import { children, decode, octets, oid, raw, time, intHex } from '../../src/asn1/der';
import { cmsTime, oid as oidDer, seq, setOf, tlv, int } from '../../src/asn1/der-write';
import { expectCode } from '../support/expect-code';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('asn1/der reader', () => {
  test('exact byte ranges are zero-copy views of the input', () => {
    const buf = seq(int(1), seq(oidDer('1.2.840.113549.1.7.1')));
    const top = decode(buf);
    const [, inner] = children(top);
    const r = raw(inner!);
    expect(r.buffer).toBe(buf.buffer);
    expect(r.equals(seq(oidDer('1.2.840.113549.1.7.1')))).toBe(true);
    expect(oid(children(inner!)[0])).toBe('1.2.840.113549.1.7.1');
  });
  test('BER indefinite length and constructed OCTET STRING are concatenated', () => {
    // [0] indefinite { OCTET STRING constructed indefinite { "ab", "cd" } }
    const ber = hex('a0 80 24 80 04 02 6162 04 02 6364 0000 0000');
    const top = decode(ber);
    expect(top.indefinite).toBe(true);
    expect(octets(children(top)[0]!).toString()).toBe('abcd');
  });
  test('long-form lengths', () => {
    const big = tlv(0x04, Buffer.alloc(70_000, 1));
    expect(octets(decode(big)).length).toBe(70_000);
  });
  test('malformations are cms.malformed, never RangeError', () => {
    for (const h of ['', '30', '3001', '3080', '30 85 0000000001 00', '04 80 0000', '3003 020101 00', '30 82 ffff 00', '1f']) {
      expectCode(() => {
        const n = decode(hex(h));
        children(n);
      }, 'cms.malformed');
    }
  });
  test('nesting is limited', () => {
    let b: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 100; i++) b = seq(b);
    expectCode(() => {
      let n = decode(b);
      for (;;) n = children(n)[0]!;
    }, 'cms.malformed');
    expectCode(() => decode(hex('3080'.repeat(100) + '0000'.repeat(100))), 'cms.malformed');
  });
  test('times: UTCTime around 2050 and GeneralizedTime', () => {
    expect(time(decode(cmsTime(new Date('2049-12-31T23:59:59Z')))).toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(time(decode(cmsTime(new Date('2050-01-01T00:00:00Z')))).toISOString()).toBe('2050-01-01T00:00:00.000Z');
    expect(time(decode(tlv(0x17, Buffer.from('500101000000Z')))).getUTCFullYear()).toBe(1950);
    expectCode(() => time(decode(tlv(0x17, Buffer.from('260230000000Z')))), 'cms.malformed');
  });
  test('integers keep their value without leading zero octets', () => {
    expect(intHex(decode(hex('0203 00ff01')))).toBe('ff01');
  });
});

test('asn1/der-write SET OF sorts its elements (DER)', () => {
  const a = tlv(0x04, Buffer.from([2]));
  const b = tlv(0x04, Buffer.from([1]));
  expect(setOf(a, b).equals(Buffer.concat([hex('3106'), b, a]))).toBe(true);
});
