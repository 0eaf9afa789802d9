/**
 * GOST R 34.10-2012 signatures (256- and 512-bit keys) and the GOST R 34.11-2012 "Streebog" hash,
 * in TypeScript on @noble/curves: node:crypto (OpenSSL 3 without the gost engine) has neither,
 * and this must run on a fresh machine without a native build. Kazakhstan's GOST 34.10-2015 /
 * 34.11-2015 are the same algorithms.
 *
 *   streebog(bits, data)                 digest octets as openssl writes them (RFC 6986)
 *   parseGostSpki(der, code?)            SubjectPublicKeyInfo → GostPublicKey (validated point)
 *   encodeGostSpki(pub)
 *   parseGostPkcs8(der, code?)           PKCS#8 from `openssl genpkey -engine gost` → GostPrivateKey
 *   encodeGostPkcs8(priv)                readable by `openssl pkey -engine gost`
 *   gostPublicKey(priv), generateGostKey(paramSetOid)
 *   gostSign(priv, digest)               → s‖r octets (CMS SignerInfo.signature, X.509 signatureValue)
 *   gostVerify(pub, digest, signature)   → boolean, never throws
 *   GOST_OID                             algorithm, digest and parameter-set OIDs (tc26, CryptoPro, NCA)
 *   kalkanSignatureToRfc(sig)            NCA/Kalkan signature octets (r‖s little-endian) ↔ RFC s‖r
 *
 * `digest` is always Streebog of the key's size over the signed bytes. Parsers throw Art50Error
 * with the caller's code (default 'cert.malformed'), never a raw exception.
 */
export { streebog } from './streebog';
export type { GostBits } from './streebog';
export type { GostPrivateKey, GostPublicKey } from './keys';
export { GOST_OID } from './oids';
export { gostCurve, GOST_PARAM_SETS } from './curves';
export type { GostCurve } from './curves';
export { parseGostSpki, encodeGostSpki } from './spki';
export { parseGostPkcs8, encodeGostPkcs8 } from './pkcs8';
export { generateGostKey, gostPublicKey, gostSign } from './sign';
export { gostVerify } from './verify';
export { kalkanSignatureToRfc } from './kalkan-signature';
