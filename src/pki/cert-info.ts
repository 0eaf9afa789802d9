import { createHash, X509Certificate } from 'node:crypto';
import { Art50Error, isArt50Error } from '../errors';
import { Asn1, bitString, bool, children, childrenOf, content, decode, expect, intHex, isContext, oid, raw, smallInt, str, TAG, time } from '../asn1/der';
import { OID } from '../asn1/oids';
import type { NcaSubject } from './types';

/**
 * What path validation needs from a certificate, read once from its DER with asn1/der and
 * memoised per X509Certificate object (node:crypto does the signature checks; it does not expose
 * extensions or criticality). A malformed certificate throws 'cert.malformed'.
 */

export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

export interface CertInfo {
  /** Lowercase hex SHA-256 of the DER certificate. */
  fingerprint: string;
  /** Lowercase hex, no leading zero octets. */
  serial: string;
  /** Exact DER of the issuer and subject Names (byte comparison is how the chain links). */
  issuer: Buffer;
  subjectName: Buffer;
  notBefore: Date;
  notAfter: Date;
  subject: NcaSubject;
  basicConstraints?: { ca: boolean; pathLen?: number };
  /** keyUsage bits, absent when the extension is absent. */
  keyUsage?: { has(bit: number): boolean };
  extKeyUsage?: string[];
  subjectKeyId?: Buffer;
  /** OIDs of critical extensions this gateway does not process. */
  unknownCritical: string[];
}

/**
 * Extensions we process or may ignore when critical. certificatePolicies: the gateway accepts any
 * policy (RFC 5280 initial-policy-set = anyPolicy), so a critical policies extension is honoured by
 * accepting all. nameConstraints is NOT processed, so a critical one is refused.
 */
const KNOWN = new Set<string>([
  OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName, OID.certificatePolicies,
  OID.subjectKeyIdentifier, OID.authorityKeyIdentifier,
]);

const memo = new WeakMap<X509Certificate, CertInfo>();

export function certInfo(cert: X509Certificate): CertInfo {
  const hit = memo.get(cert);
  if (hit) return hit;
  const info = parse(cert.raw);
  memo.set(cert, info);
  return info;
}

/** NCA subject fields (serialNumber "IIN…", OU "BIN…", CN, O) of a certificate. */
export function ncaSubject(cert: X509Certificate): NcaSubject {
  return certInfo(cert).subject;
}

function parse(der: Buffer): CertInfo {
  try {
    const top = childrenOf(decode(der, { code: 'cert.malformed' }), TAG.SEQUENCE, 'Certificate');
    const tbs = childrenOf(top[0], TAG.SEQUENCE, 'tbsCertificate');
    let i = 0;
    if (isContext(tbs[0], 0)) i++;
    const serial = intHex(tbs[i++], 'serialNumber');
    i++; // signature AlgorithmIdentifier (node checks it when verifying)
    const issuer = raw(expect(tbs[i++], TAG.SEQUENCE, 'issuer'));
    const validity = childrenOf(tbs[i++], TAG.SEQUENCE, 'validity');
    const subjectNode = expect(tbs[i++], TAG.SEQUENCE, 'subject');
    i++; // subjectPublicKeyInfo
    const info: CertInfo = {
      fingerprint: createHash('sha256').update(der).digest('hex'),
      serial,
      issuer,
      subjectName: raw(subjectNode),
      notBefore: time(validity[0], 'notBefore'),
      notAfter: time(validity[1], 'notAfter'),
      subject: nameFields(subjectNode),
      unknownCritical: [],
    };
    const extsWrapper = tbs.slice(i).find((n) => isContext(n, 3));
    if (extsWrapper) readExtensions(childrenOf(children(extsWrapper)[0], TAG.SEQUENCE, 'extensions'), info);
    return info;
  } catch (e) {
    if (isArt50Error(e) && e.code !== 'cert.malformed') throw new Art50Error('cert.malformed', e.detail, { cause: e });
    throw e;
  }
}

function readExtensions(exts: Asn1[], info: CertInfo): void {
  const seen = new Set<string>();
  for (const ext of exts) {
    const parts = childrenOf(ext, TAG.SEQUENCE, 'extension');
    const id = oid(parts[0], 'extnID');
    if (seen.has(id)) throw new Art50Error('cert.malformed', `extension ${id} appears twice`);
    seen.add(id);
    const critical = parts.length === 3 ? bool(parts[1], 'critical') : false;
    const value = content(expect(parts[parts.length - 1], TAG.OCTET_STRING, 'extnValue'));
    if (!KNOWN.has(id)) {
      if (critical) info.unknownCritical.push(id);
      continue;
    }
    const v = decode(value, { code: 'cert.malformed' });
    switch (id) {
      case OID.basicConstraints: {
        const bc = childrenOf(v, TAG.SEQUENCE, 'basicConstraints');
        let k = 0;
        const ca = bc[k]?.tag === TAG.BOOLEAN ? bool(bc[k++]) : false;
        const pathLen = bc[k] ? smallInt(bc[k], 'pathLenConstraint') : undefined;
        info.basicConstraints = pathLen === undefined ? { ca } : { ca, pathLen };
        break;
      }
      case OID.keyUsage: {
        const { bytes } = bitString(v, 'keyUsage');
        info.keyUsage = { has: (bit: number) => ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0 };
        break;
      }
      case OID.extKeyUsage:
        info.extKeyUsage = childrenOf(v, TAG.SEQUENCE, 'extKeyUsage').map((n) => oid(n, 'keyPurposeId'));
        break;
      case OID.subjectKeyIdentifier:
        info.subjectKeyId = content(expect(v, TAG.OCTET_STRING, 'subjectKeyIdentifier'));
        break;
      default:
        break;
    }
  }
}

function nameFields(name: Asn1): NcaSubject {
  const out: NcaSubject = {};
  for (const rdn of childrenOf(name, TAG.SEQUENCE, 'Name')) {
    for (const atv of childrenOf(rdn, TAG.SET, 'RDN')) {
      const [type, value] = childrenOf(atv, TAG.SEQUENCE, 'AttributeTypeAndValue');
      const t = oid(type, 'attribute type');
      if (!value) throw new Art50Error('cert.malformed', 'attribute without value');
      if (t === OID.commonName) out.cn = str(value);
      else if (t === OID.organizationName) out.o = str(value);
      else if (t === OID.serialNumber) {
        const m = /^IIN(\d{12})$/.exec(str(value));
        if (m) out.iin = m[1]!;
      } else if (t === OID.organizationalUnitName) {
        const m = /^BIN(\d{12})$/.exec(str(value));
        if (m) out.bin = m[1]!;
      }
    }
  }
  return out;
}
