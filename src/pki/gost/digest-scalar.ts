import { leToBigint } from './keys';

/**
 * GOST R 34.10-2012 §6.1 step 2: e = α mod q, where α is the digest read as an integer, and e = 1
 * when that is 0. The digest octets are the hash's little-endian form (what Streebog and openssl
 * output), so α reads them little-endian — as the gost engine's hashsum2bn does.
 */
export function digestScalar(digest: Uint8Array, q: bigint): bigint {
  const e = leToBigint(digest) % q;
  return e === 0n ? 1n : e;
}
