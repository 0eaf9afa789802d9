import { webcrypto, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import * as x509 from '../../pki/x509';

/**
 * Certificate and CRL issuance for the demo PKI and for tests. Built on @peculiar/x509 because
 * node-forge can neither put EC keys into certificates nor issue CRLs, and one issuing path for
 * RSA and ECDSA keeps the demo world uniform. Keys come from node:crypto.
 */

export type KeySpec = 'rsa2048' | 'p256' | 'p384';

export interface KeyPair {
  spec: KeySpec;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The same keys imported into WebCrypto, which @peculiar/x509 signs with. */
  cryptoKeys: { privateKey: WcKey; publicKey: WcKey };
}

type WcKey = import('node:crypto').webcrypto.CryptoKey;
type Alg = import('node:crypto').webcrypto.Algorithm;
const subtle = webcrypto.subtle;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

function algorithmFor(spec: KeySpec): import('node:crypto').webcrypto.RsaHashedImportParams | import('node:crypto').webcrypto.EcKeyImportParams {
  switch (spec) {
    case 'rsa2048':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    case 'p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
  }
}

export function signingAlgorithm(spec: KeySpec): Alg {
  return spec === 'rsa2048'
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Alg
    : ({ name: 'ECDSA', hash: spec === 'p384' ? 'SHA-384' : 'SHA-256' } as Alg);
}

export async function generateKey(spec: KeySpec): Promise<KeyPair> {
  const { privateKey, publicKey } =
    spec === 'rsa2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: spec === 'p256' ? 'P-256' : 'P-384' });
  return importKeyPair(spec, privateKey, publicKey);
}

export async function importKeyPair(spec: KeySpec, privateKey: KeyObject, publicKey: KeyObject): Promise<KeyPair> {
  const alg = algorithmFor(spec);
  const priv = await subtle.importKey('pkcs8', privateKey.export({ format: 'der', type: 'pkcs8' }), alg, true, ['sign']);
  const pub = await subtle.importKey('spki', publicKey.export({ format: 'der', type: 'spki' }), alg, true, ['verify']);
  return { spec, privateKey, publicKey, cryptoKeys: { privateKey: priv, publicKey: pub } };
}

export interface SubjectFields {
  cn: string;
  /** "IIN" + 12 digits for people (NCA convention), absent for system certificates. */
  serialNumber?: string;
  /** "BIN" + 12 digits of the organisation. */
  ou?: string;
  o?: string;
  c?: string;
}

export function buildName(s: SubjectFields): x509.Name {
  const parts: x509.JsonName = [];
  if (s.c) parts.push({ C: [s.c] });
  if (s.o) parts.push({ O: [s.o] });
  if (s.ou) parts.push({ OU: [s.ou] });
  if (s.serialNumber) parts.push({ '2.5.4.5': [s.serialNumber] });
  parts.push({ CN: [s.cn] });
  return new x509.Name(parts);
}

/** A subject key known only by its SubjectPublicKeyInfo (a GOST key, which WebCrypto cannot hold). */
export interface SpkiOnly {
  spki: Buffer;
}

export interface IssueOptions {
  subject: SubjectFields;
  subjectKey: KeyPair | SpkiOnly;
  issuer?: { cert: x509.X509Certificate; key: KeyPair };
  notBefore: Date;
  notAfter: Date;
  ca?: { pathLength?: number };
  /** For tests: a "CA" issued without CA:TRUE. */
  basicConstraints?: 'omit' | 'not-ca';
  keyUsages?: number;
  extKeyUsages?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  extraExtensions?: x509.Extension[];
  serial?: string;
  /** Where the issuer publishes its CRL (cRLDistributionPoints), as NCA certificates carry it. */
  crlUrl?: string;
  /** The issuer's OCSP responder (authorityInfoAccess id-ad-ocsp), as NCA certificates carry it. */
  ocspUrl?: string;
}

export const KU = x509.KeyUsageFlags;
export const EKU = { clientAuth: '1.3.6.1.5.5.7.3.2', serverAuth: '1.3.6.1.5.5.7.3.1', emailProtection: '1.3.6.1.5.5.7.3.4' };

/**
 * NCA RK's owner-kind purposes, carried in extendedKeyUsage beside the technical ones: who the
 * holder is with respect to the organisation in OU (pki.gov.kz certificate profiles).
 */
export const NCA_EKU = {
  individual: '1.2.398.3.3.4.1.1',
  legalEntityEmployee: '1.2.398.3.3.4.1.2',
  firstHead: '1.2.398.3.3.4.1.2.1',
  entitledToSign: '1.2.398.3.3.4.1.2.2',
  employee: '1.2.398.3.3.4.1.2.5',
} as const;

function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive INTEGER
  if (b[0] === 0) b[0] = 1;
  return b.toString('hex');
}

export async function issueCertificate(o: IssueOptions): Promise<x509.X509Certificate> {
  const name = buildName(o.subject);
  const extensions: x509.Extension[] = [];
  if (o.ca) {
    extensions.push(new x509.BasicConstraintsExtension(true, o.ca.pathLength, true));
  } else if (o.basicConstraints === 'not-ca') {
    extensions.push(new x509.BasicConstraintsExtension(false, undefined, true));
  } else if (o.basicConstraints !== 'omit') {
    extensions.push(new x509.BasicConstraintsExtension(false, undefined, true));
  }
  const ku = o.keyUsages ?? (o.ca ? KU.keyCertSign | KU.cRLSign : KU.digitalSignature);
  extensions.push(new x509.KeyUsagesExtension(ku, true));
  if (o.extKeyUsages && o.extKeyUsages.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(o.extKeyUsages, false));
  const sans: x509.JsonGeneralName[] = [
    ...(o.dnsNames ?? []).map((v) => ({ type: 'dns' as const, value: v })),
    ...(o.ipAddresses ?? []).map((v) => ({ type: 'ip' as const, value: v })),
  ];
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false));
  const publicKey: x509.PublicKeyType = 'spki' in o.subjectKey ? new Uint8Array(o.subjectKey.spki) : o.subjectKey.cryptoKeys.publicKey;
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey, false));
  if (o.issuer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(o.issuer.cert, false));
  if (o.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([o.crlUrl], false));
  if (o.ocspUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: [o.ocspUrl] }, false));
  extensions.push(...(o.extraExtensions ?? []));

  const issuerKey = o.issuer ? o.issuer.key : o.subjectKey;
  if ('spki' in issuerKey) throw new Error('a self-signed certificate needs the subject\'s private key');
  return x509.X509CertificateGenerator.create({
    serialNumber: o.serial ?? randomSerial(),
    subject: name,
    issuer: o.issuer ? o.issuer.cert.subjectName : name,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    publicKey,
    signingKey: issuerKey.cryptoKeys.privateKey,
    signingAlgorithm: signingAlgorithm(issuerKey.spec),
    extensions,
  });
}

export async function issueCrl(o: {
  issuer: { cert: x509.X509Certificate; key: KeyPair };
  revokedSerials: string[];
  thisUpdate: Date;
  nextUpdate: Date;
  crlNumber?: number;
  /** For tests: e.g. deltaCRLIndicator or issuingDistributionPoint, which the gateway refuses. */
  extraExtensions?: x509.Extension[];
}): Promise<x509.X509Crl> {
  const extensions: x509.Extension[] = [await x509.AuthorityKeyIdentifierExtension.create(o.issuer.cert, false)];
  if (o.crlNumber !== undefined) extensions.push(new x509.Extension('2.5.29.20', false, derInteger(o.crlNumber)));
  extensions.push(...(o.extraExtensions ?? []));
  return x509.X509CrlGenerator.create({
    issuer: o.issuer.cert.subjectName,
    thisUpdate: o.thisUpdate,
    nextUpdate: o.nextUpdate,
    entries: o.revokedSerials.map((serialNumber) => ({ serialNumber, revocationDate: o.thisUpdate, reason: x509.X509CrlReason.keyCompromise })),
    signingKey: o.issuer.key.cryptoKeys.privateKey,
    signingAlgorithm: signingAlgorithm(o.issuer.key.spec),
    extensions,
  });
}

export function privateKeyPem(k: KeyPair): string {
  return k.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

function derInteger(n: number): Uint8Array {
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
  const body = Buffer.from(hex, 'hex');
  return new Uint8Array(Buffer.concat([Buffer.from([0x02, body.length]), body]));
}

/** OpenSSL reads CRLs only under the "X509 CRL" PEM label (RFC 7468 §5). */
export function crlPem(crl: x509.X509Crl): string {
  const b64 = Buffer.from(crl.rawData).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN X509 CRL-----\n${b64}\n-----END X509 CRL-----\n`;
}
