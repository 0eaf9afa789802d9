import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyObject, X509Certificate } from 'node:crypto';
import * as x509 from '../../pki/x509';
import { encodeGostPkcs8, encodeGostSpki, generateGostKey, GOST_OID, gostPublicKey } from '../../pki/gost';
import { writePkcs12 } from '../../pki/pkcs12';
import { DataKeyring } from '../../store/data-keys';
import { newSubjectSecretFile } from '../../log/subject-key';
import { crlPem, EKU, generateKey, issueCertificate, issueCrl, KeyPair, KeySpec, KU, NCA_EKU, privateKeyPem } from './issue';
import { DEMO_BANKS, DEMO_BIN, DEMO_IIN, DEMO_P12_PASSWORD, demoRegistry } from './participants';

/**
 * The demo trust world written by `art50 pki init`: a root CA, the gateway's seal and TLS
 * certificates, police bodies, prosecutors, banks, an auditor, one revoked and one expired
 * investigator, and the participant registry that gives them roles (who is who: participants.ts).
 * For demos and tests only.
 */

const YEAR = 365 * 24 * 3600 * 1000;

/** The NCA owner-kind purposes of a person's certificates (NCA_EKU). */
type OwnerKind = 'employee' | 'firstHead' | 'entitledToSign';

interface Leaf {
  path: string;
  cn: string;
  iin?: string;
  bin: string;
  org: string;
  spec: KeySpec;
  /** People get an AUTH and a SIGN key pair, as NCA issues them; systems one certificate. */
  person?: { kind: OwnerKind };
  /** The SIGN key is GOST R 34.10-2012 (256, tc26 paramSetA) instead of `spec`; AUTH stays `spec` (TLS). */
  gostSign?: boolean;
  tlsServer?: boolean;
  /** The body's encryption certificate: banks encrypt statements to it (keyEncipherment, RSA-OAEP). */
  encryption?: boolean;
  validity?: 'expired';
  revoked?: boolean;
}

/** The gateway's data keyring (src/store/data-keys.ts): seals stored requests and sanctions. */
const DEMO_DATA_KEYS_HEADER = '# art50 data keys: "<keyId> <base64 of 32 bytes>", current key first (docs/operations.md)\n';

function leaves(): Leaf[] {
  const A = 'Police Department of Almaty (demo)';
  const B = 'Police Department of Karaganda Region (demo)';
  const p = (path: string, cn: string, iin: string, bin: string, org: string, spec: KeySpec, extra: Partial<Leaf> = {}): Leaf =>
    ({ path, cn, iin, bin, org, spec, person: { kind: 'employee' }, ...extra });
  return [
    { path: 'gateway/seal', cn: 'art50 gateway seal (demo)', bin: DEMO_BIN.gateway, org: 'art50 gateway operator (demo)', spec: 'p256' },
    { path: 'gateway/tls', cn: 'localhost', bin: DEMO_BIN.gateway, org: 'art50 gateway operator (demo)', spec: 'p256', tlsServer: true },
    p('police/investigator-1', 'Aibek Nurlanov', DEMO_IIN.investigator1, DEMO_BIN.bodyA, A, 'rsa2048'),
    p('police/head-1', 'Saule Zhaksybekova', DEMO_IIN.head1, DEMO_BIN.bodyA, A, 'p256', { person: { kind: 'firstHead' } }),
    p('police/deputy-head-1', 'Timur Abenov', DEMO_IIN.deputyHead1, DEMO_BIN.bodyA, A, 'p256', { person: { kind: 'entitledToSign' } }),
    p('police/investigator-gost', 'Nurlan Gostov', DEMO_IIN.investigatorGost, DEMO_BIN.bodyA, A, 'rsa2048', { gostSign: true }),
    { path: 'police/encryption-A', cn: `${A} statements`, bin: DEMO_BIN.bodyA, org: A, spec: 'rsa2048', encryption: true },
    { path: 'police/encryption-B', cn: `${B} statements`, bin: DEMO_BIN.bodyB, org: B, spec: 'rsa2048', encryption: true },
    p('police/investigator-2', 'Daniyar Omarov', DEMO_IIN.investigator2, DEMO_BIN.bodyB, B, 'p256'),
    p('police/investigator-revoked', 'Yerlan Revokedov', DEMO_IIN.revoked, DEMO_BIN.bodyA, A, 'rsa2048', { revoked: true }),
    p('police/investigator-expired', 'Marat Expiredov', DEMO_IIN.expired, DEMO_BIN.bodyA, A, 'p256', { validity: 'expired' }),
    p('prosecutor/prosecutor-1', 'Gulnara Sadykova', DEMO_IIN.prosecutor1, DEMO_BIN.officeA, 'Prosecutor\'s Office of Almaty (demo)', 'p256'),
    p('prosecutor/prosecutor-2', 'Bolat Tulegenov', DEMO_IIN.prosecutor2, DEMO_BIN.officeB, 'Prosecutor\'s Office of Karaganda Region (demo)', 'rsa2048'),
    p('auditor/auditor-1', 'Asel Karimova', DEMO_IIN.auditor1, DEMO_BIN.auditor, 'Committee on Legal Statistics (demo)', 'p256'),
    ...DEMO_BANKS.map((b, i): Leaf => ({
      path: `banks/${b.bic}`, cn: `${b.name} art50 system`, bin: DEMO_BIN[b.key], org: b.name,
      spec: i === 1 ? 'rsa2048' : 'p256', tlsServer: true,
    })),
  ];
}

/** `key`: node:crypto's private key, or PKCS#8 DER (GOST). */
async function writePair(out: string, path: string, cert: x509.X509Certificate, key: KeyObject | Buffer, root: x509.X509Certificate): Promise<string[]> {
  const file = join(out, path);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(`${file}.pem`, cert.toString('pem') + '\n');
  const pem = key instanceof KeyObject
    ? (key.export({ format: 'pem', type: 'pkcs8' }) as string)
    : `-----BEGIN PRIVATE KEY-----\n${key.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  await writeFile(`${file}.key`, pem, { mode: 0o600 });
  const p12 = writePkcs12({
    key, password: DEMO_P12_PASSWORD, friendlyName: path.split('/').pop()!,
    certificates: [new X509Certificate(Buffer.from(cert.rawData)), new X509Certificate(Buffer.from(root.rawData))],
  });
  await writeFile(`${file}.p12`, p12, { mode: 0o600 });
  return [`${path}.pem`, `${path}.key`, `${path}.p12`];
}

const OWNER_EKUS: Record<OwnerKind, string[]> = {
  employee: [NCA_EKU.legalEntityEmployee, NCA_EKU.employee],
  firstHead: [NCA_EKU.legalEntityEmployee, NCA_EKU.firstHead],
  entitledToSign: [NCA_EKU.legalEntityEmployee, NCA_EKU.entitledToSign],
};

/**
 * What each certificate is for. NCA profile for people: the AUTH key (clientAuth; TLS and console
 * sign-in) and the SIGN key (emailProtection; documents, nonRepudiation), both with the owner kind.
 * Systems: the seal signs only, the TLS certificate never signs documents, a bank's one certificate
 * does TLS both ways and signs statements (emailProtection, which stock `openssl cms -verify` wants).
 */
function profiles(l: Leaf): { suffix: string; keyUsages: number; ekus: string[]; gost?: boolean }[] {
  if (l.person) {
    const owner = OWNER_EKUS[l.person.kind];
    return [
      { suffix: '', keyUsages: KU.digitalSignature | (l.spec === 'rsa2048' ? KU.keyEncipherment : 0), ekus: [EKU.clientAuth, ...owner] },
      { suffix: '.sign', keyUsages: KU.digitalSignature | KU.nonRepudiation, ekus: [EKU.emailProtection, ...owner], ...(l.gostSign ? { gost: true } : {}) },
    ];
  }
  if (l.encryption) return [{ suffix: '', keyUsages: KU.keyEncipherment, ekus: [EKU.emailProtection] }];
  if (l.path === 'gateway/seal') return [{ suffix: '', keyUsages: KU.digitalSignature | KU.nonRepudiation, ekus: [EKU.emailProtection] }];
  if (l.path === 'gateway/tls') return [{ suffix: '', keyUsages: KU.digitalSignature, ekus: [EKU.clientAuth, EKU.serverAuth] }];
  return [{
    suffix: '',
    keyUsages: KU.digitalSignature | (l.tlsServer && l.spec === 'rsa2048' ? KU.keyEncipherment : 0),
    ekus: [EKU.clientAuth, ...(l.tlsServer ? [EKU.serverAuth] : []), EKU.emailProtection],
  }];
}

/**
 * Where the demo CA says it publishes revocation, as NCA certificates name http://crl.pki.gov.kz
 * and http://ocsp.pki.gov.kz: an OCSP responder on this machine (`openssl ocsp` over ca/index.txt,
 * see README) and the CRL file's URL (the gateway reads CRLs from files, never from this URL).
 */
export const DEMO_PKI_URLS = { ocsp: 'http://127.0.0.1:2560/', crl: 'http://127.0.0.1:2560/crl/root.crl' };

/** One line of an `openssl ca` database (index.txt), which `openssl ocsp -index` answers from. */
function indexLine(cert: x509.X509Certificate, revokedAt: Date | undefined): string {
  const t = (d: Date): string => `${d.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`;
  // As OpenSSL prints it (BN_bn2hex): uppercase, whole bytes, no leading zero bytes.
  let serial = cert.serialNumber.toUpperCase().replace(/^(00)+(?=.)/, '');
  if (serial.length % 2) serial = `0${serial}`;
  const subject = cert.subjectName.toJSON().map((rdn) => Object.entries(rdn).map(([k, v]) => `/${k === '2.5.4.5' ? 'serialNumber' : k}=${v.join('')}`).join('')).join('');
  return [revokedAt ? 'R' : 'V', t(cert.notAfter), revokedAt ? t(revokedAt) : '', serial, 'unknown', subject].join('\t');
}

export async function writeDemoWorld(out: string, now = new Date(), urls: { ocsp: string; crl: string } = DEMO_PKI_URLS): Promise<{ files: string[] }> {
  const notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  const rootKey = await generateKey('rsa2048');
  const root = await issueCertificate({
    subject: { cn: 'Demo NCA RK Root', o: 'Demo National Certification Authority (demo only)', c: 'KZ' },
    subjectKey: rootKey, notBefore, notAfter: new Date(now.getTime() + 20 * YEAR), ca: {},
  });
  const files: string[] = [];
  await mkdir(join(out, 'ca'), { recursive: true });
  await writeFile(join(out, 'ca/root.pem'), root.toString('pem') + '\n');
  await writeFile(join(out, 'ca/root.key'), privateKeyPem(rootKey), { mode: 0o600 });
  files.push('ca/root.pem', 'ca/root.key');
  const revokedSerials: string[] = [];
  const encryption: Record<string, string> = {};
  const index: string[] = [];
  for (const l of leaves()) {
    for (const profile of profiles(l)) {
      const gost = profile.gost ? generateGostKey(GOST_OID.paramSet.tc26_256_A) : undefined;
      const key = gost ? { spki: encodeGostSpki(gostPublicKey(gost)) } : await generateKey(l.spec);
      const cert = await issueCertificate({
        subject: { cn: l.cn, ou: `BIN${l.bin}`, o: l.org, c: 'KZ', ...(l.iin ? { serialNumber: `IIN${l.iin}` } : {}) },
        subjectKey: key,
        issuer: { cert: root, key: rootKey },
        notBefore: l.validity === 'expired' ? new Date(now.getTime() - 3 * YEAR) : notBefore,
        notAfter: l.validity === 'expired' ? new Date(now.getTime() - 2 * YEAR) : new Date(now.getTime() + 10 * YEAR),
        keyUsages: profile.keyUsages,
        extKeyUsages: profile.ekus,
        ...(l.tlsServer ? { dnsNames: l.path === 'gateway/tls' ? ['localhost', 'gateway'] : ['localhost'], ipAddresses: ['127.0.0.1'] } : {}),
        crlUrl: urls.crl,
        ocspUrl: urls.ocsp,
      });
      if (l.revoked) revokedSerials.push(cert.serialNumber);
      if (l.encryption) encryption[l.bin] = cert.toString('pem');
      index.push(indexLine(cert, l.revoked ? notBefore : undefined));
      files.push(...(await writePair(out, `${l.path}${profile.suffix}`, cert, gost ? encodeGostPkcs8(gost) : (key as KeyPair).privateKey, root)));
    }
  }
  const crl = await issueCrl({
    issuer: { cert: root, key: rootKey }, revokedSerials, thisUpdate: notBefore,
    nextUpdate: new Date(now.getTime() + 10 * YEAR), crlNumber: 1,
  });
  await writeFile(join(out, 'ca/crl.pem'), crlPem(crl));
  await writeFile(join(out, 'ca/index.txt'), index.join('\n') + '\n');
  // A person's AUTH and SIGN certificates share one subject; OpenSSL refuses that unless told.
  await writeFile(join(out, 'ca/index.txt.attr'), 'unique_subject = no\n');
  files.push('ca/index.txt', 'ca/index.txt.attr');
  await writeFile(join(out, 'participants.json'), JSON.stringify(demoRegistry(encryption), null, 2) + '\n');
  await writeFile(join(out, 'gateway/data-keys'), DEMO_DATA_KEYS_HEADER + DataKeyring.newKeyLine('demo-1') + '\n', { mode: 0o600 });
  await writeFile(join(out, 'gateway/subject-key'), newSubjectSecretFile(), { mode: 0o600 });
  files.push('gateway/data-keys', 'gateway/subject-key');
  await writeFile(join(out, 'README.md'), README);
  files.push('ca/crl.pem', 'participants.json', 'README.md');
  return { files };
}

const README = `# Demo trust world — for demos and tests only

Everything here was generated by \`art50 pki init --out keys.example\`. The private keys are
published on purpose: **never use these keys, certificates or identifiers for anything real.**
The IINs and BINs are invented; they only carry valid control digits.

## The NCA RK profile

Like NCA RK, the demo CA gives every **person** two key pairs:

| files | key | extendedKeyUsage | used for |
|---|---|---|---|
| \`<name>.pem\`, \`<name>.key\`, \`<name>.p12\` | AUTH | clientAuth + owner kind | TLS client, signing in to the console |
| \`<name>.sign.pem\`, \`<name>.sign.key\`, \`<name>.sign.p12\` | SIGN | emailProtection + owner kind | signing documents (keyUsage nonRepudiation) |

Owner kinds (NCA OIDs in extendedKeyUsage): \`1.2.398.3.3.4.1.2\` employee of a legal entity, with
\`1.2.398.3.3.4.1.2.1\` first head (police/head-1), \`1.2.398.3.3.4.1.2.2\` person entitled to sign
(police/deputy-head-1) or \`1.2.398.3.3.4.1.2.5\` employee (everyone else). A document signed with an
AUTH key is refused (\`cert.key_usage\`): documents need emailProtection.

Systems (the gateway's seal and TLS keys, the banks' back-office systems) have one certificate each.

Every \`.p12\` holds the key, its certificate and the root, protected by the password **\`art50-demo\`**:

    openssl pkcs12 -in keys.example/police/investigator-1.sign.p12 -passin pass:art50-demo -nokeys
    ART50_KEY_PASSWORD=art50-demo art50 sign --p12 keys.example/police/investigator-1.sign.p12 --in doc.json --out doc.p7s

## Who is who

| path | who | key |
|---|---|---|
| ca/root.pem, ca/root.key | "Demo NCA RK Root" (CA:TRUE) | RSA-2048 |
| ca/crl.pem | CRL of the root, lists both keys of investigator-revoked | |
| ca/index.txt, ca/index.txt.attr | the CA's database in \`openssl ca\` format, for an OCSP responder | |
| gateway/seal | seal of receipts and log checkpoints | ECDSA P-256 |
| gateway/tls | HTTPS server (SAN localhost, 127.0.0.1) and push client | ECDSA P-256 |
| gateway/subject-key | secret of the log's subject key (HKDF), apart from the seal key | |
| gateway/data-keys | the gateway's data keyring: seals the requests and sanctions it stores (AES-256-GCM) | |
| police/investigator-1 | body A (Almaty), investigator | RSA-2048 |
| police/head-1 | body A, **first head** (registry role first_head, EKU 1.2.398.3.3.4.1.2.1) | P-256 |
| police/deputy-head-1 | body A, head of a department, not the first head: may not sign requests | P-256 |
| police/investigator-gost | body A, investigator with a GOST R 34.10-2012 (256) SIGN key and an RSA AUTH key | GOST / RSA-2048 |
| police/investigator-2 | body B (Karaganda) | P-256 |
| police/encryption-A, police/encryption-B | the encryption certificates of body A and body B (keyEncipherment): banks encrypt statements to them (CMS AuthEnvelopedData, RSA-OAEP + AES-256-GCM); listed in participants.json | RSA-2048 |
| police/investigator-revoked | body A, revoked in ca/crl.pem | RSA-2048 |
| police/investigator-expired | body A, validity entirely in the past | P-256 |
| prosecutor/prosecutor-1, prosecutor/prosecutor-2 | supervise body A, body B | P-256, RSA-2048 |
| banks/ALFAKZKA, banks/BETAKZKA, banks/GAMMKZKA | bank systems (client and server TLS, statements) | P-256, RSA-2048, P-256 |
| auditor/auditor-1 | auditor | P-256 |
| participants.json | the participant registry (schemas/participants.schema.json) | |

Every certificate below the root names, as NCA's do, where revocation is published: a CRL
distribution point and an OCSP responder (authorityInfoAccess) at \`${DEMO_PKI_URLS.ocsp}\`. Run that
responder with stock OpenSSL over the CA's index:

    openssl ocsp -index keys.example/ca/index.txt -port 2560 -CA keys.example/ca/root.pem \\
      -rsigner keys.example/ca/root.pem -rkey keys.example/ca/root.key -nmin 10
    openssl ocsp -issuer keys.example/ca/root.pem -cert keys.example/police/investigator-revoked.pem \\
      -url ${DEMO_PKI_URLS.ocsp} -CAfile keys.example/ca/root.pem

Check with stock OpenSSL:

    openssl verify -CAfile keys.example/ca/root.pem keys.example/police/investigator-1.pem
    openssl verify -crl_check -CRLfile keys.example/ca/crl.pem -CAfile keys.example/ca/root.pem keys.example/police/investigator-revoked.pem
`;
