import { constants } from 'node:crypto';
import { Art50Error, ErrorCode } from '../../errors';
import { Asn1, children, isContext, smallInt, TAG } from '../../asn1/der';
import { OID } from '../../asn1/oids';
import { algorithmIdentifier } from './algorithm-identifier';
import { digestAlgorithm, digestBytes } from './digests';
import { nodeKey, opensslVerify } from './node-key';
import { checkRsaKey } from './rsa-pkcs1';
import type { DigestName, SignatureScheme, SignatureSuite } from './types';

function pssParams(params: Asn1 | undefined, code: ErrorCode): { hash: DigestName; saltLength: number } {
  if (!params || params.tag !== TAG.SEQUENCE) throw new Art50Error(code, 'RSASSA-PSS without parameters (SHA-1 defaults) is not accepted');
  let hash: DigestName | undefined;
  let mgfHash: DigestName | undefined;
  let saltLength = 20;
  for (const p of children(params)) {
    const inner = children(p)[0];
    if (isContext(p, 0)) hash = digestAlgorithm(inner, code);
    else if (isContext(p, 1)) {
      const mgf = algorithmIdentifier(inner, 'maskGenAlgorithm');
      if (mgf.oid !== OID.mgf1) throw new Art50Error(code, `mask generation ${mgf.oid} is not accepted`);
      mgfHash = digestAlgorithm(mgf.params, code);
    } else if (isContext(p, 2)) saltLength = smallInt(inner, 'saltLength');
    else if (isContext(p, 3)) {
      if (smallInt(inner, 'trailerField') !== 1) throw new Art50Error(code, 'RSASSA-PSS trailer field must be 1');
    } else throw new Art50Error('cms.malformed', 'RSASSA-PSS parameters: unknown field');
  }
  if (!hash || mgfHash !== hash || hash.startsWith('streebog')) throw new Art50Error(code, 'RSASSA-PSS must name a SHA-2 hash and MGF1 with the same hash');
  return { hash, saltLength };
}

/** RSASSA-PSS with SHA-2 and MGF1 of the same hash (RFC 4055). */
export const rsaPss: SignatureSuite = {
  name: 'RSASSA-PSS',
  signatureOids: [OID.rsassaPss],
  keyOids: [OID.rsaEncryption, OID.rsassaPss],
  scheme(oid: string, params: Asn1 | undefined, code: ErrorCode): SignatureScheme {
    return { suite: rsaPss, oid, ...pssParams(params, code) };
  },
  fits: (key) => {
    const t = nodeKey(key)?.asymmetricKeyType;
    return t === 'rsa' || t === 'rsa-pss';
  },
  checkKey: checkRsaKey,
  verify: (scheme, digest, data, key, signature) => {
    const k = nodeKey(key);
    const saltLength = scheme.saltLength ?? 20;
    if (!k || saltLength > digestBytes(digest) * 2) return false;
    return opensslVerify(digest, data, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
  },
};
