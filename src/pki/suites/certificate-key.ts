import type { X509Certificate } from 'node:crypto';
import { OID } from '../../asn1/oids';
import { TAG } from '../../asn1/der';
import { Art50Error, isArt50Error } from '../../errors';
import { certInfo } from '../cert-info';
import { checkKeyPolicy, publicKeyOf } from './index';

/**
 * Key policy of a certificate: its suite's policy (RSA 2048–16384, EC P-256/P-384, GOST R
 * 34.10-2012), plus named EC curves only; an undecodable key is refused with cert.weak_key, never
 * thrown raw. Path validation applies it to every certificate of a path, trust anchors included.
 */
export function checkCertificateKey(cert: X509Certificate): void {
  const info = certInfo(cert);
  if (info.keyAlgorithm === OID.ecPublicKey && info.keyParamsTag !== TAG.OID) {
    throw new Art50Error('cert.weak_key', 'EC key with explicit curve parameters (a named curve is required, RFC 5480)');
  }
  try {
    checkKeyPolicy(publicKeyOf(cert));
  } catch (e) {
    if (isArt50Error(e)) throw e;
    throw new Art50Error('cert.weak_key', 'the public key cannot be decoded', { cause: e });
  }
}
