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
  /** keyIdentifier of authorityKeyIdentifier; `hasAuthorityKeyId` says whether the extension is there at all. */
  authorityKeyId?: Buffer;
  hasAuthorityKeyId: boolean;
  /** Issuer and subject are the same Name (RFC 5280 "self-issued"). */
  selfIssued: boolean;
  /** The subject is an empty sequence of RDNs. */
  subjectEmpty: boolean;
  /** X.509 version as encoded (1, 2 or 3). */
  version: number;
  /** subjectPublicKeyInfo algorithm OID, and the tag of its parameters (an EC key must name its curve: OID). */
  keyAlgorithm: string;
  keyParamsTag: number | undefined;
  /** OIDs of every extension marked critical. */
  critical: ReadonlySet<string>;
  /** extnValue of extensions read on demand by other modules (SAN, nameConstraints, CRL DP, AIA). */
  extensionValues: ReadonlyMap<string, Buffer>;
  /** OIDs of critical extensions this gateway does not process. */
  unknownCritical: string[];
}

/**
 * Extensions we process or may ignore when critical. certificatePolicies: the gateway accepts any
 * policy (RFC 5280 initial-policy-set = anyPolicy), so a critical policies extension is honoured by
 * accepting all. nameConstraints is processed by name-constraints.ts. policyConstraints,
 * policyMappings and inhibitAnyPolicy are not processed, so a critical one is refused.
 */
const KNOWN = new Set<string>([
  OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName, OID.certificatePolicies,
  OID.subjectKeyIdentifier, OID.authorityKeyIdentifier, OID.nameConstraints,
]);

/** Values kept for other modules (read there, only when needed). */
const KEEP = new Set<string>([OID.subjectAltName, OID.nameConstraints, OID.crlDistributionPoints, OID.authorityInfoAccess, OID.policyConstraints]);

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
    let version = 1;
    if (isContext(tbs[0], 0)) version = smallInt(children(tbs[i++]!)[0], 'version') + 1;
    const serialNode = tbs[i++];
    checkSerial(serialNode);
    const serial = intHex(serialNode, 'serialNumber');
    i++; // signature AlgorithmIdentifier (node checks it when verifying)
    const issuer = raw(expect(tbs[i++], TAG.SEQUENCE, 'issuer'));
    const validity = childrenOf(tbs[i++], TAG.SEQUENCE, 'validity');
    const subjectNode = expect(tbs[i++], TAG.SEQUENCE, 'subject');
    const spkiAlg = childrenOf(childrenOf(tbs[i++], TAG.SEQUENCE, 'subjectPublicKeyInfo')[0], TAG.SEQUENCE, 'algorithm');
    const subjectName = raw(subjectNode);
    const info: CertInfo = {
      fingerprint: createHash('sha256').update(der).digest('hex'),
      serial,
      issuer,
      subjectName,
      notBefore: time(validity[0], 'notBefore'),
      notAfter: time(validity[1], 'notAfter'),
      subject: nameFields(subjectNode),
      hasAuthorityKeyId: false,
      selfIssued: issuer.equals(subjectName),
      subjectEmpty: children(subjectNode).length === 0,
      version,
      keyAlgorithm: oid(spkiAlg[0], 'key algorithm'),
      keyParamsTag: spkiAlg[1]?.tag,
      critical: new Set<string>(),
      extensionValues: new Map<string, Buffer>(),
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
    if (critical) (info.critical as Set<string>).add(id);
    if (KEEP.has(id)) (info.extensionValues as Map<string, Buffer>).set(id, value);
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
        if (info.extKeyUsage.length === 0) throw new Art50Error('cert.malformed', 'extKeyUsage is an empty sequence');
        break;
      case OID.subjectKeyIdentifier:
        info.subjectKeyId = content(expect(v, TAG.OCTET_STRING, 'subjectKeyIdentifier'));
        break;
      case OID.authorityKeyIdentifier: {
        info.hasAuthorityKeyId = true;
        const keyId = childrenOf(v, TAG.SEQUENCE, 'authorityKeyIdentifier').find((n) => isContext(n, 0));
        if (keyId) info.authorityKeyId = content(keyId);
        break;
      }
      default:
        break;
    }
  }
}

/** RFC 5280 §4.1.2.2: a positive INTEGER of at most 20 octets. */
function checkSerial(node: Asn1 | undefined): void {
  const b = content(expect(node, TAG.INTEGER, 'serialNumber'));
  if (b.length === 0 || b.length > 21 || (b.length === 21 && b[0] !== 0)) throw new Art50Error('cert.malformed', 'serialNumber is longer than 20 octets');
  if (b[0]! & 0x80) throw new Art50Error('cert.malformed', 'serialNumber is negative');
  if (b.every((x) => x === 0)) throw new Art50Error('cert.malformed', 'serialNumber is zero');
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
