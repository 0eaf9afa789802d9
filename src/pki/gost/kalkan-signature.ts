/**
 * KalkanCrypt (Kazakhstan's NCA) writes a GOST signature as r‖s, each little-endian — the exact
 * byte reversal of the s‖r big-endian octets of RFC 4491 §2.2.2 / RFC 9215 that gostVerify and
 * gostSign use. Established by verifying a Kalkan-made CMS SignerInfo (NCA test certificate,
 * 1.2.398.3.10.1.1.2.3.2): it verifies reversed and not as is. The map is its own inverse, so it
 * also turns a gostSign signature into the NCA layout.
 */
export function kalkanSignatureToRfc(signature: Uint8Array): Buffer {
  return Buffer.from(signature).reverse();
}
