/**
 * Object identifiers of GOST R 34.10-2012 / GOST R 34.11-2012 in X.509 and CMS (RFC 9215,
 * RFC 7836 and RFC 4357 for the CryptoPro parameter sets; names as in those RFCs).
 */
export const GOST_OID = {
  /** id-tc26-signwithdigest-gost3410-12-256: signatureAlgorithm for GOST 2012-256 + Streebog-256. */
  signWithDigest256: '1.2.643.7.1.1.3.2',
  /** id-tc26-signwithdigest-gost3410-12-512: signatureAlgorithm for GOST 2012-512 + Streebog-512. */
  signWithDigest512: '1.2.643.7.1.1.3.3',
  /** id-tc26-gost3410-12-256: SubjectPublicKeyInfo algorithm (and CMS signatureAlgorithm as openssl writes it). */
  key256: '1.2.643.7.1.1.1.1',
  /** id-tc26-gost3410-12-512 */
  key512: '1.2.643.7.1.1.1.2',
  /** id-tc26-gost3411-12-256: Streebog-256 digestAlgorithm. */
  digest256: '1.2.643.7.1.1.2.2',
  /** id-tc26-gost3411-12-512: Streebog-512 digestAlgorithm. */
  digest512: '1.2.643.7.1.1.2.3',
  paramSet: {
    /** id-tc26-gost-3410-2012-256-paramSetA (a twisted Edwards curve, cofactor 4). */
    tc26_256_A: '1.2.643.7.1.2.1.1.1',
    /** id-tc26-gost-3410-2012-256-paramSetB: the CryptoPro-A curve. */
    tc26_256_B: '1.2.643.7.1.2.1.1.2',
    /** id-tc26-gost-3410-2012-256-paramSetC: the CryptoPro-B curve. */
    tc26_256_C: '1.2.643.7.1.2.1.1.3',
    /** id-tc26-gost-3410-2012-256-paramSetD: the CryptoPro-C curve. */
    tc26_256_D: '1.2.643.7.1.2.1.1.4',
    /** id-GostR3410-2001-CryptoPro-A-ParamSet */
    cryptoProA: '1.2.643.2.2.35.1',
    /** id-GostR3410-2001-CryptoPro-B-ParamSet */
    cryptoProB: '1.2.643.2.2.35.2',
    /** id-GostR3410-2001-CryptoPro-C-ParamSet */
    cryptoProC: '1.2.643.2.2.35.3',
    /** id-GostR3410-2001-CryptoPro-XchA-ParamSet: the CryptoPro-A curve. */
    cryptoProXchA: '1.2.643.2.2.36.0',
    /** id-GostR3410-2001-CryptoPro-XchB-ParamSet: the CryptoPro-C curve. */
    cryptoProXchB: '1.2.643.2.2.36.1',
    /** id-tc26-gost-3410-12-512-paramSetA */
    tc26_512_A: '1.2.643.7.1.2.1.2.1',
    /** id-tc26-gost-3410-12-512-paramSetB */
    tc26_512_B: '1.2.643.7.1.2.1.2.2',
    /** id-tc26-gost-3410-2012-512-paramSetC (a twisted Edwards curve, cofactor 4). */
    tc26_512_C: '1.2.643.7.1.2.1.2.3',
  },
  /**
   * Kazakhstan's NCA (pki.gov.kz, KalkanCrypt) names the same algorithms — GOST 34.10-2015 /
   * 34.11-2015, identical to GOST R 34.10-2012 / 34.11-2012 — in its own arc. Its 512-bit
   * parameter set is the tc26-512-A curve (checked against a Kalkan-made CMS signature); the
   * 256-bit one is tc26-256-A as other NCA implementations map it (no NCA-made 256-bit signature
   * checked yet; a wrong curve would fail key validation, not accept a forgery). Kalkan writes
   * signature octets byte-reversed: see kalkanSignatureToRfc. NCA's older GOST 34.310-2004 keys
   * (1.2.398.3.10.1.1.1.x) use GOST 34.311-95 digests, not Streebog, and are not covered here.
   */
  nca: {
    key256: '1.2.398.3.10.1.1.2.1',
    key512: '1.2.398.3.10.1.1.2.2',
    paramSet256A: '1.2.398.3.10.1.1.2.1.1',
    paramSet512A: '1.2.398.3.10.1.1.2.2.1',
    digest256: '1.2.398.3.10.1.3.2',
    digest512: '1.2.398.3.10.1.3.3',
    signWithDigest256: '1.2.398.3.10.1.1.2.3.1',
    signWithDigest512: '1.2.398.3.10.1.1.2.3.2',
  },
} as const;
