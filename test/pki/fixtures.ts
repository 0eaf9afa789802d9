import { generateKeyPairSync, X509Certificate, KeyObject } from 'node:crypto';
import { crlPem, EKU, generateKey, importKeyPair, issueCertificate, issueCrl, KeyPair, KU } from '../../src/demo/pki/issue';
import * as x509 from '../../src/pki/x509';
import { Crl, parseCrl } from '../../src/pki/crl';

/** A test PKI generated at test time: root → intermediate → leaves, plus every broken variant. */

const DAY = 24 * 3600 * 1000;
export const NOW = new Date();

export interface Party {
  cert: X509Certificate;
  key: KeyObject;
  pcert: x509.X509Certificate;
  keyPair: KeyPair;
}

function toNode(c: x509.X509Certificate): X509Certificate {
  return new X509Certificate(Buffer.from(c.rawData));
}

async function party(pcert: x509.X509Certificate, keyPair: KeyPair): Promise<Party> {
  return { cert: toNode(pcert), key: keyPair.privateKey, pcert, keyPair };
}

export interface World {
  root: Party;
  inter: Party;
  leaf: Party; // under inter, P-256
  rsaLeaf: Party; // under root, RSA-2048
  p384Leaf: Party;
  expired: Party;
  notYetValid: Party;
  noDigitalSignature: Party;
  notCa: Party; // intermediate without CA:TRUE
  underNotCa: Party;
  selfSigned: Party;
  foreignRoot: Party;
  foreignLeaf: Party;
  revoked: Party;
  criticalExt: Party;
  weakKey: Party;
  pathLenInter: Party; // pathLen 0 under root
  subInter: Party; // CA under pathLenInter
  underSubInter: Party;
  crls: { root: Crl; inter: Crl; notCa: Crl; pathLenInter: Crl; subInter: Crl; rootStale: Crl; rootByForeign: Crl };
  crlPems: { root: string; rootStale: string; rootNewer: string };
}

const person = (cn: string, iin = '850315300121', bin = '990440000127') => ({ cn, serialNumber: `IIN${iin}`, ou: `BIN${bin}`, o: 'Test Police (test)', c: 'KZ' });

export async function buildWorld(): Promise<World> {
  const nb = new Date(NOW.getTime() - DAY);
  const na = new Date(NOW.getTime() + 365 * DAY);
  const rootKey = await generateKey('p256');
  const rootC = await issueCertificate({ subject: { cn: 'Test Root', c: 'KZ' }, subjectKey: rootKey, notBefore: nb, notAfter: new Date(NOW.getTime() + 3650 * DAY), ca: {} });
  const root = await party(rootC, rootKey);
  const byRoot = { cert: rootC, key: rootKey };

  const ca = async (cn: string, issuer: { cert: x509.X509Certificate; key: KeyPair }, opts: { pathLength?: number; notCa?: boolean } = {}): Promise<Party> => {
    const k = await generateKey('p256');
    const c = await issueCertificate({
      subject: { cn, c: 'KZ' }, subjectKey: k, issuer, notBefore: nb, notAfter: na,
      ...(opts.notCa ? { basicConstraints: 'not-ca' as const, keyUsages: KU.keyCertSign | KU.cRLSign } : { ca: opts.pathLength === undefined ? {} : { pathLength: opts.pathLength } }),
    });
    return party(c, k);
  };
  const leafOf = async (cn: string, issuer: { cert: x509.X509Certificate; key: KeyPair }, o: { spec?: 'p256' | 'p384' | 'rsa2048'; nb?: Date; na?: Date; ku?: number; ext?: x509.Extension[]; keyPair?: KeyPair } = {}): Promise<Party> => {
    const k = o.keyPair ?? (await generateKey(o.spec ?? 'p256'));
    const c = await issueCertificate({
      subject: person(cn), subjectKey: k, issuer, notBefore: o.nb ?? nb, notAfter: o.na ?? na,
      keyUsages: o.ku ?? KU.digitalSignature | KU.nonRepudiation, extKeyUsages: [EKU.clientAuth, EKU.emailProtection], extraExtensions: o.ext ?? [],
    });
    return party(c, k);
  };

  const inter = await ca('Test Intermediate', byRoot);
  const byInter = { cert: inter.pcert, key: inter.keyPair };
  const notCa = await ca('Test Not-a-CA', byRoot, { notCa: true });
  const pathLenInter = await ca('Test PathLen0', byRoot, { pathLength: 0 });
  const subInter = await ca('Test Sub', { cert: pathLenInter.pcert, key: pathLenInter.keyPair });
  const foreignKey = await generateKey('p256');
  const foreignC = await issueCertificate({ subject: { cn: 'Test Root', c: 'KZ' }, subjectKey: foreignKey, notBefore: nb, notAfter: na, ca: {} });
  const foreignRoot = await party(foreignC, foreignKey);

  const selfKey = await generateKey('p256');
  const selfC = await issueCertificate({ subject: person('Self Signed'), subjectKey: selfKey, notBefore: nb, notAfter: na, keyUsages: KU.digitalSignature, extKeyUsages: [EKU.emailProtection] });

  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const weakPair = await importKeyPair('rsa2048', weak.privateKey, weak.publicKey);

  const revoked = await leafOf('Revoked Person', byRoot);
  const w = {
    root, inter, notCa, pathLenInter, subInter, foreignRoot, revoked,
    leaf: await leafOf('Leaf Person', byInter),
    rsaLeaf: await leafOf('RSA Person', byRoot, { spec: 'rsa2048' }),
    p384Leaf: await leafOf('P384 Person', byRoot, { spec: 'p384' }),
    expired: await leafOf('Expired Person', byRoot, { nb: new Date(NOW.getTime() - 30 * DAY), na: new Date(NOW.getTime() - 2 * DAY) }),
    notYetValid: await leafOf('Future Person', byRoot, { nb: new Date(NOW.getTime() + 2 * DAY), na }),
    noDigitalSignature: await leafOf('KeyAgreement Person', byRoot, { ku: KU.keyAgreement }),
    underNotCa: await leafOf('Under NotCa', { cert: notCa.pcert, key: notCa.keyPair }),
    selfSigned: await party(selfC, selfKey),
    foreignLeaf: await leafOf('Foreign Person', { cert: foreignC, key: foreignKey }),
    criticalExt: await leafOf('Critical Person', byRoot, { ext: [new x509.Extension('1.2.3.4.5', true, new Uint8Array([0x05, 0x00]))] }),
    weakKey: await leafOf('Weak Person', byRoot, { keyPair: weakPair }),
    underSubInter: await leafOf('Deep Person', { cert: subInter.pcert, key: subInter.keyPair }),
  };
  const crlOf = async (issuer: Party, revokedSerials: string[], next = na, thisUpdate = nb, signer?: Party) => {
    const crl = await issueCrl({ issuer: { cert: issuer.pcert, key: (signer ?? issuer).keyPair }, revokedSerials, thisUpdate, nextUpdate: next, crlNumber: 1 });
    return crlPem(crl);
  };
  const rootPem = await crlOf(root, [revoked.pcert.serialNumber]);
  const rootStalePem = await crlOf(root, [], new Date(NOW.getTime() - 60_000), new Date(NOW.getTime() - 2 * DAY));
  const rootNewerPem = await crlOf(root, [revoked.pcert.serialNumber, w.rsaLeaf.pcert.serialNumber], na, new Date(NOW.getTime() - 1000));
  const parse = (pem: string, name: string) => parseCrl(Buffer.from(pem), name);
  return {
    ...w,
    crls: {
      root: parse(rootPem, 'root'),
      inter: parse(await crlOf(inter, []), 'inter'),
      notCa: parse(await crlOf(notCa, []), 'notCa'),
      pathLenInter: parse(await crlOf(pathLenInter, []), 'pathLenInter'),
      subInter: parse(await crlOf(subInter, []), 'subInter'),
      rootStale: parse(rootStalePem, 'rootStale'),
      rootByForeign: parse(await crlOf(root, [], na, nb, foreignRoot), 'rootByForeign'),
    },
    crlPems: { root: rootPem, rootStale: rootStalePem, rootNewer: rootNewerPem },
  };
}
