import { randomBytes } from 'node:crypto';
import { streebog } from '../../src/pki/gost';
import { gostOpenssl, requireGostEngine } from './gost-openssl';

// RFC 6986 §10 prints messages most significant byte first; the bytes hashed are that reversed.
const M1 = Buffer.from('012345678901234567890123456789012345678901234567890123456789012', 'latin1');
const M2 = Buffer.from(
  'fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1',
  'hex',
).reverse();

describe('Streebog (GOST R 34.11-2012)', () => {
  beforeAll(() => requireGostEngine());

  it('matches the RFC 6986 test vectors M1 and M2', () => {
    expect(streebog(512, M1).toString('hex')).toBe(
      '1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48',
    );
    expect(streebog(256, M1).toString('hex')).toBe('9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500');
    expect(streebog(512, M2).toString('hex')).toBe(
      '1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28',
    );
    expect(streebog(256, M2).toString('hex')).toBe('9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50');
  });

  it('agrees with openssl on empty, block-boundary and random inputs', () => {
    const inputs = [Buffer.alloc(0), Buffer.alloc(63, 1), Buffer.alloc(64, 0xff), Buffer.alloc(65, 0x80), Buffer.alloc(128, 0xff)];
    for (let i = 0; i < 6; i++) inputs.push(randomBytes(1 + Math.floor(Math.random() * 700)));
    for (const data of inputs) {
      for (const bits of [256, 512] as const) {
        const expected = gostOpenssl(['dgst', `-md_gost12_${bits}`, '-binary'], data);
        expect(`${data.length}:${streebog(bits, data).toString('hex')}`).toBe(`${data.length}:${expected.toString('hex')}`);
      }
    }
  });

  it('hashes a Buffer view at an offset the same as a copy', () => {
    const big = randomBytes(300);
    const view = big.subarray(7, 207);
    expect(streebog(256, view)).toEqual(streebog(256, Buffer.from(view)));
  });
});
