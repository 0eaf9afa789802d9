import { Asn1, children, oid as readOid, TAG } from '../../asn1/der';
import { oid, seq } from '../../asn1/der-write';
import { Art50Error, ErrorCode } from '../../errors';
import { gostCurve } from './curves';
import type { GostBits } from './streebog';
import { GOST_OID } from './oids';

export interface GostKeyAlgorithm {
  bits: GostBits;
  paramSet: string;
  digestOid: string;
}

const NCA = GOST_OID.nca;

/** Key algorithm OID → key size, for the RFC 9215 (tc26) and the NCA names. */
const KEY_BITS: ReadonlyMap<string, GostBits> = new Map<string, GostBits>([
  [GOST_OID.key256, 256],
  [GOST_OID.key512, 512],
  [NCA.key256, 256],
  [NCA.key512, 512],
]);

/** The Streebog OIDs a key of each size may name (tc26 or NCA arc; the same hash). */
const DIGESTS: Record<GostBits, readonly string[]> = {
  256: [GOST_OID.digest256, NCA.digest256],
  512: [GOST_OID.digest512, NCA.digest512],
};

const isNca = (keyOrParamOid: string): boolean => keyOrParamOid.startsWith('1.2.398.');

/**
 * Reads the AlgorithmIdentifier of a GOST 2012 key (in SubjectPublicKeyInfo and PKCS#8):
 * id-tc26-gost3410-12-256/512 (or the NCA's 1.2.398.3.10.1.1.2.1/.2) with
 * GostR3410-2012-PublicKeyParameters ::= SEQUENCE { publicKeyParamSet OID, digestParamSet OID
 * OPTIONAL, encryptionParamSet OID OPTIONAL (2001 keys) } (RFC 9215 §4.1, RFC 4491 §2.3.1).
 * The curve must be known and of the key's size; the parameter sets of one arc go with its key OID.
 */
export function decodeKeyAlgorithm(alg: Asn1, code: ErrorCode): GostKeyAlgorithm {
  const [algOid, params, extra] = children(alg);
  const keyOid = readOid(algOid, 'key algorithm');
  const bits = KEY_BITS.get(keyOid);
  if (!bits) throw new Art50Error(code, `not a GOST R 34.10-2012 key (algorithm ${keyOid})`);
  if (!params || params.tag !== TAG.SEQUENCE || extra) throw new Art50Error(code, 'GOST key: parameters must be one SEQUENCE');
  const [paramOid, digest, cipher, more] = children(params);
  if (more || (cipher && cipher.tag !== TAG.OID)) throw new Art50Error(code, 'GOST key: unexpected key parameters');
  const paramSet = readOid(paramOid, 'publicKeyParamSet');
  const curve = gostCurve(paramSet);
  if (!curve || isNca(paramSet) !== isNca(keyOid)) throw new Art50Error(code, `GOST key: unknown parameter set ${paramSet}`);
  if (curve.bits !== bits) throw new Art50Error(code, `GOST key: parameter set ${paramSet} is not for ${bits}-bit keys`);
  const digestOid = digest ? readOid(digest, 'digestParamSet') : DIGESTS[bits][0]!;
  if (!DIGESTS[bits].includes(digestOid)) throw new Art50Error(code, `GOST key: digest ${digestOid} does not match a ${bits}-bit key`);
  return { bits, paramSet, digestOid };
}

/** The key algorithm OID for a key: the NCA's for keys on an NCA parameter set, else tc26's. */
export function keyAlgorithmOid(k: GostKeyAlgorithm): string {
  if (isNca(k.paramSet)) return k.bits === 256 ? NCA.key256 : NCA.key512;
  return k.bits === 256 ? GOST_OID.key256 : GOST_OID.key512;
}

/**
 * The key parameters as the gost engine writes them: digestParamSet present for the CryptoPro
 * and tc26-512 A/B curves, omitted for the tc26-256 sets and tc26-512-C, where RFC 9215 lets the
 * key size imply it. NCA keys always carry it, as NCA certificates do.
 */
export function encodeKeyParams(k: GostKeyAlgorithm): Buffer {
  const P = GOST_OID.paramSet;
  const implied = [P.tc26_256_A, P.tc26_256_B, P.tc26_256_C, P.tc26_256_D, P.tc26_512_C].includes(k.paramSet as never);
  return implied ? seq(oid(k.paramSet)) : seq(oid(k.paramSet), oid(k.digestOid));
}

/** Runs a parser so that every failure, whatever its source, is an Art50Error with `code`. */
export function withCode<T>(code: ErrorCode, what: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof Art50Error && e.code === code) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new Art50Error(code, `${what}: ${detail}`, { cause: e });
  }
}
