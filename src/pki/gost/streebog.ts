import { add512, Block, compress } from './streebog-compress';

export type GostBits = 256 | 512;

/**
 * GOST R 34.11-2012 "Streebog" (RFC 6986), 256- or 512-bit output, over the whole input.
 *
 * Byte order is the one every implementation and `openssl dgst -md_gost12_256` use: the input
 * bytes are the message's little-endian representation (the RFC prints vectors most significant
 * byte first, i.e. reversed), and the digest bytes are the hash value's little-endian form.
 */
export function streebog(bits: GostBits, data: Uint8Array): Buffer {
  const h = new Uint32Array(16).fill(bits === 256 ? 0x01010101 : 0);
  const n = new Uint32Array(16);
  const sigma = new Uint32Array(16);
  const m = new Uint32Array(16);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const full = data.byteLength - (data.byteLength % 64);
  for (let off = 0; off < full; off += 64) {
    for (let w = 0; w < 16; w++) m[w] = view.getUint32(off + 4 * w, true);
    compress(h, n, m);
    add512(n, BLOCK_BITS);
    add512(sigma, m);
  }
  // Last (possibly empty) partial block, padded with 0x01 then zeros above the message bytes.
  const last = new Uint8Array(64);
  last.set(data.subarray(full));
  last[data.byteLength - full] = 0x01;
  const lastView = new DataView(last.buffer);
  for (let w = 0; w < 16; w++) m[w] = lastView.getUint32(4 * w, true);
  compress(h, n, m);
  const tailBits = new Uint32Array(16);
  tailBits[0] = (data.byteLength - full) * 8;
  add512(n, tailBits);
  add512(sigma, m);
  compress(h, ZERO, n);
  compress(h, ZERO, sigma);
  const out = Buffer.alloc(64);
  for (let w = 0; w < 16; w++) out.writeUInt32LE(h[w]!, 4 * w);
  // The 256-bit hash is the most significant half of the final state.
  return bits === 256 ? out.subarray(32) : out;
}

const ZERO: Block = new Uint32Array(16);
const BLOCK_BITS: Block = (() => {
  const b = new Uint32Array(16);
  b[0] = 512;
  return b;
})();
