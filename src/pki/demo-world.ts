import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from './x509';
import { completeKzId } from '../documents/check-digits';
import type { RegistryFile } from '../participants/types';
import { crlPem, EKU, generateKey, issueCertificate, issueCrl, KeyPair, KeySpec, KU, privateKeyPem } from './issue';

/**
 * The demo trust world written by `art50 pki init`: a root CA, the gateway's seal and TLS
 * certificates, police bodies, prosecutors, banks, an auditor, one revoked and one expired
 * investigator, and the participant registry that gives them roles. Identifiers are invented but
 * carry valid control digits. For demos and tests only.
 */

const YEAR = 365 * 24 * 3600 * 1000;

// Invented identifiers: birth dates / registration months + a running number, completed with a valid control digit.
export const DEMO_BIN = {
  gateway: completeKzId('26014000001'),
  bodyA: completeKzId('99044000012'),
  bodyB: completeKzId('99054000023'),
  officeA: completeKzId('97064000034'),
  officeB: completeKzId('97074000045'),
  auditor: completeKzId('98084000056'),
  bankA: completeKzId('93104000067'),
  bankB: completeKzId('94114000078'),
  bankC: completeKzId('95124000089'),
};

export const DEMO_IIN = {
  investigator1: completeKzId('85031530012'),
  head1: completeKzId('72110230023'),
  investigator2: completeKzId('90072040034'),
  prosecutor1: completeKzId('78042130045'),
  prosecutor2: completeKzId('81091940056'),
  auditor1: completeKzId('83121230067'),
  revoked: completeKzId('88060530078'),
  expired: completeKzId('86022840089'),
};

export const DEMO_BANKS = [
  { key: 'bankA', bic: 'ALFAKZKA', name: 'Demo Alfa Bank JSC', ibanCode: '111' },
  { key: 'bankB', bic: 'BETAKZKA', name: 'Demo Beta Bank JSC', ibanCode: '222' },
  { key: 'bankC', bic: 'GAMMKZKA', name: 'Demo Gamma Bank JSC', ibanCode: '333' },
] as const;

interface Leaf {
  path: string;
  cn: string;
  iin?: string;
  bin: string;
  org: string;
  spec: KeySpec;
  person: boolean;
  tlsServer?: boolean;
  validity?: 'expired';
  revoked?: boolean;
}

function leaves(): Leaf[] {
  const A = 'Police Department of Almaty (demo)';
  const B = 'Police Department of Karaganda Region (demo)';
  const p = (path: string, cn: string, iin: string, bin: string, org: string, spec: KeySpec, extra: Partial<Leaf> = {}): Leaf =>
    ({ path, cn, iin, bin, org, spec, person: true, ...extra });
  return [
    { path: 'gateway/seal', cn: 'art50 gateway seal (demo)', bin: DEMO_BIN.gateway, org: 'art50 gateway operator (demo)', spec: 'p256', person: false },
    { path: 'gateway/tls', cn: 'localhost', bin: DEMO_BIN.gateway, org: 'art50 gateway operator (demo)', spec: 'p256', person: false, tlsServer: true },
    p('police/investigator-1', 'Aibek Nurlanov', DEMO_IIN.investigator1, DEMO_BIN.bodyA, A, 'rsa2048'),
    p('police/head-1', 'Saule Zhaksybekova', DEMO_IIN.head1, DEMO_BIN.bodyA, A, 'p256'),
    p('police/investigator-2', 'Daniyar Omarov', DEMO_IIN.investigator2, DEMO_BIN.bodyB, B, 'p256'),
    p('police/investigator-revoked', 'Yerlan Revokedov', DEMO_IIN.revoked, DEMO_BIN.bodyA, A, 'rsa2048', { revoked: true }),
    p('police/investigator-expired', 'Marat Expiredov', DEMO_IIN.expired, DEMO_BIN.bodyA, A, 'p256', { validity: 'expired' }),
    p('prosecutor/prosecutor-1', 'Gulnara Sadykova', DEMO_IIN.prosecutor1, DEMO_BIN.officeA, 'Prosecutor\'s Office of Almaty (demo)', 'p256'),
    p('prosecutor/prosecutor-2', 'Bolat Tulegenov', DEMO_IIN.prosecutor2, DEMO_BIN.officeB, 'Prosecutor\'s Office of Karaganda Region (demo)', 'rsa2048'),
    p('auditor/auditor-1', 'Asel Karimova', DEMO_IIN.auditor1, DEMO_BIN.auditor, 'Committee on Legal Statistics (demo)', 'p256'),
    ...DEMO_BANKS.map((b, i): Leaf => ({
      path: `banks/${b.bic}`, cn: `${b.name} art50 system`, bin: DEMO_BIN[b.key], org: b.name,
      spec: i === 1 ? 'rsa2048' : 'p256', person: false, tlsServer: true,
    })),
  ];
}

export function demoRegistry(): RegistryFile {
  return {
    version: 1,
    organisations: [
      { bin: DEMO_BIN.gateway, kind: 'gateway', name: 'art50 gateway operator (demo)' },
      { bin: DEMO_BIN.bodyA, kind: 'police', name: 'Police Department of Almaty (demo)', region: 'Almaty' },
      { bin: DEMO_BIN.bodyB, kind: 'police', name: 'Police Department of Karaganda Region (demo)', region: 'Karaganda' },
      { bin: DEMO_BIN.officeA, kind: 'prosecutor_office', name: 'Prosecutor\'s Office of Almaty (demo)', region: 'Almaty', supervises: [DEMO_BIN.bodyA] },
      { bin: DEMO_BIN.officeB, kind: 'prosecutor_office', name: 'Prosecutor\'s Office of Karaganda Region (demo)', region: 'Karaganda', supervises: [DEMO_BIN.bodyB] },
      { bin: DEMO_BIN.auditor, kind: 'auditor', name: 'Committee on Legal Statistics (demo)' },
      ...DEMO_BANKS.map((b) => ({ bin: DEMO_BIN[b.key], kind: 'bank' as const, name: b.name, bic: b.bic, ibanCode: b.ibanCode, delivery: { mode: 'pull' as const } })),
    ],
    people: [
      { iin: DEMO_IIN.investigator1, name: 'Aibek Nurlanov', organisation: DEMO_BIN.bodyA, roles: ['investigator'], position: 'Senior investigator' },
      { iin: DEMO_IIN.head1, name: 'Saule Zhaksybekova', organisation: DEMO_BIN.bodyA, roles: ['head'], position: 'Head of department' },
      { iin: DEMO_IIN.investigator2, name: 'Daniyar Omarov', organisation: DEMO_BIN.bodyB, roles: ['investigator'], position: 'Investigator' },
      { iin: DEMO_IIN.revoked, name: 'Yerlan Revokedov', organisation: DEMO_BIN.bodyA, roles: ['investigator'], position: 'Investigator' },
      { iin: DEMO_IIN.expired, name: 'Marat Expiredov', organisation: DEMO_BIN.bodyA, roles: ['investigator'], position: 'Investigator' },
      { iin: DEMO_IIN.prosecutor1, name: 'Gulnara Sadykova', organisation: DEMO_BIN.officeA, roles: ['prosecutor'], position: 'Supervising prosecutor' },
      { iin: DEMO_IIN.prosecutor2, name: 'Bolat Tulegenov', organisation: DEMO_BIN.officeB, roles: ['prosecutor'], position: 'Supervising prosecutor' },
      { iin: DEMO_IIN.auditor1, name: 'Asel Karimova', organisation: DEMO_BIN.auditor, roles: ['auditor'], position: 'Auditor' },
    ],
  };
}

async function writePair(out: string, path: string, cert: x509.X509Certificate, key: KeyPair): Promise<void> {
  const file = join(out, path);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(`${file}.pem`, cert.toString('pem') + '\n');
  await writeFile(`${file}.key`, privateKeyPem(key), { mode: 0o600 });
}

export async function writeDemoWorld(out: string, now = new Date()): Promise<{ files: string[] }> {
  const notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  const rootKey = await generateKey('rsa2048');
  const root = await issueCertificate({
    subject: { cn: 'Demo NCA RK Root', o: 'Demo National Certification Authority (demo only)', c: 'KZ' },
    subjectKey: rootKey, notBefore, notAfter: new Date(now.getTime() + 20 * YEAR), ca: {},
  });
  const files: string[] = [];
  await writePair(out, 'ca/root', root, rootKey);
  files.push('ca/root.pem', 'ca/root.key');
  const revokedSerials: string[] = [];
  for (const l of leaves()) {
    const key = await generateKey(l.spec);
    // emailProtection on every document signer: stock `openssl cms -verify` checks the S/MIME
    // purpose by default. The seal signs only; the TLS certificate never signs documents.
    const signer = l.path !== 'gateway/tls';
    const tlsClient = l.path !== 'gateway/seal';
    const ekus = [...(tlsClient ? [EKU.clientAuth] : []), ...(l.tlsServer ? [EKU.serverAuth] : []), ...(signer ? [EKU.emailProtection] : [])];
    const cert = await issueCertificate({
      subject: { cn: l.cn, ou: `BIN${l.bin}`, o: l.org, c: 'KZ', ...(l.iin ? { serialNumber: `IIN${l.iin}` } : {}) },
      subjectKey: key,
      issuer: { cert: root, key: rootKey },
      notBefore: l.validity === 'expired' ? new Date(now.getTime() - 3 * YEAR) : notBefore,
      notAfter: l.validity === 'expired' ? new Date(now.getTime() - 2 * YEAR) : new Date(now.getTime() + 10 * YEAR),
      keyUsages: l.person ? KU.digitalSignature | KU.nonRepudiation : KU.digitalSignature | (l.tlsServer && l.spec === 'rsa2048' ? KU.keyEncipherment : 0),
      extKeyUsages: ekus,
      ...(l.tlsServer ? { dnsNames: l.path === 'gateway/tls' ? ['localhost', 'gateway'] : ['localhost'], ipAddresses: ['127.0.0.1'] } : {}),
    });
    if (l.revoked) revokedSerials.push(cert.serialNumber);
    await writePair(out, l.path, cert, key);
    files.push(`${l.path}.pem`, `${l.path}.key`);
  }
  const crl = await issueCrl({
    issuer: { cert: root, key: rootKey }, revokedSerials, thisUpdate: notBefore,
    nextUpdate: new Date(now.getTime() + 10 * YEAR), crlNumber: 1,
  });
  await writeFile(join(out, 'ca/crl.pem'), crlPem(crl));
  await writeFile(join(out, 'participants.json'), JSON.stringify(demoRegistry(), null, 2) + '\n');
  await writeFile(join(out, 'README.md'), README);
  files.push('ca/crl.pem', 'participants.json', 'README.md');
  return { files };
}

const README = `# Demo trust world — for demos and tests only

Everything here was generated by \`art50 pki init --out keys.example\`. The private keys are
published on purpose: **never use these keys, certificates or identifiers for anything real.**
The IINs and BINs are invented; they only carry valid control digits.

| path | who | key |
|---|---|---|
| ca/root.pem, ca/root.key | "Demo NCA RK Root" (CA:TRUE) | RSA-2048 |
| ca/crl.pem | CRL of the root, lists investigator-revoked | |
| gateway/seal | seal of receipts and log checkpoints | ECDSA P-256 |
| gateway/tls | HTTPS server (SAN localhost, 127.0.0.1) and push client | ECDSA P-256 |
| police/investigator-1, police/head-1 | body A (Almaty) | RSA-2048, P-256 |
| police/investigator-2 | body B (Karaganda) | P-256 |
| police/investigator-revoked | body A, revoked in ca/crl.pem | RSA-2048 |
| police/investigator-expired | body A, validity entirely in the past | P-256 |
| prosecutor/prosecutor-1, prosecutor/prosecutor-2 | supervise body A, body B | P-256, RSA-2048 |
| banks/ALFAKZKA, banks/BETAKZKA, banks/GAMMKZKA | bank systems (client and server TLS) | P-256, RSA-2048, P-256 |
| auditor/auditor-1 | auditor | P-256 |
| participants.json | the participant registry (schemas/participants.schema.json) | |

Check with stock OpenSSL:

    openssl verify -CAfile keys.example/ca/root.pem keys.example/police/investigator-1.pem
    openssl verify -crl_check -CRLfile keys.example/ca/crl.pem -CAfile keys.example/ca/root.pem keys.example/police/investigator-revoked.pem
`;
