import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainValidator } from '../../src/pki/chain';
import { certInfo } from '../../src/pki/cert-info';
import { parseCrl } from '../../src/pki/crl';
import { StaticCrlSource } from '../../src/pki/crl-source';
import { writeDemoWorld } from '../../src/demo/pki/world';
import { EKU, generateKey, importKeyPair, issueCertificate, KU, privateKeyPem } from '../../src/demo/pki/issue';
import { OcspChecker, OcspFetcher, ocspUrlsOf, RevocationOrder } from '../../src/pki/ocsp/checker';
import { httpOcspFetcher } from '../../src/pki/ocsp/http-fetcher';
import * as x509 from '../../src/pki/x509';
import { expectCode } from '../support/expect-code';
import { freePort, OcspResponder, startOcspResponder } from '../support/ocsp-responder';

/**
 * OCSP against a real `openssl ocsp` responder, started here over the demo CA's index.txt
 * (written by `art50 pki init`): good, revoked, unknown, stale, responder down, a responder
 * signing with a key the CA never appointed, a delegated responder it did appoint, a replayed
 * response (nonce), the cache bounded by nextUpdate, and both revocation orders.
 */

const MIN = 60_000;
let dir: string;
let root: X509Certificate;
let good: X509Certificate;
let revoked: X509Certificate;
let unknown: X509Certificate;
let crlSource: StaticCrlSource;
const responders: OcspResponder[] = [];

/** `openssl ocsp` over the demo world's index; stopped after the file. */
async function startResponder(signer: { cert: string; key: string }, args: string[] = [], port?: number): Promise<string> {
  const r = await startOcspResponder({ index: join(dir, 'ca/index.txt'), ca: join(dir, 'ca/root.pem'), signer, args, ...(port ? { port } : {}) });
  responders.push(r);
  return r.url;
}

function validator(o: { url: string; order?: RevocationOrder; now?: () => Date; fetcher?: OcspFetcher; crls?: StaticCrlSource; override?: boolean }): { v: ChainValidator; ocsp: OcspChecker } {
  const now = o.now ?? (() => new Date());
  const ocsp = new OcspChecker({ fetcher: o.fetcher ?? httpOcspFetcher({ timeoutMs: 2000 }), responderUrl: o.url, overrideCertificateUrl: o.override ?? true, now, retryAfterMs: 0 });
  const v = new ChainValidator([root], o.crls ?? new StaticCrlSource([]), { ocsp, revocationOrder: o.order ?? 'ocsp-only', now });
  return { v, ocsp };
}

async function check(v: ChainValidator, cert: X509Certificate): Promise<void> {
  await v.prepare(cert, { purpose: 'tls-client' });
  v.validate(cert, { purpose: 'tls-client' });
}

let rootSigner: { cert: string; key: string };
/** The responder the demo certificates name in their AIA (port chosen before they were issued). */
let aiaUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'art50-ocsp-'));
  const port = await freePort();
  await writeDemoWorld(dir, new Date(), { ocsp: `http://127.0.0.1:${port}/`, crl: `http://127.0.0.1:${port}/crl/root.crl` });
  root = new X509Certificate(readFileSync(join(dir, 'ca/root.pem')));
  good = new X509Certificate(readFileSync(join(dir, 'police/investigator-1.pem')));
  revoked = new X509Certificate(readFileSync(join(dir, 'police/investigator-revoked.pem')));
  rootSigner = { cert: join(dir, 'ca/root.pem'), key: join(dir, 'ca/root.key') };
  crlSource = new StaticCrlSource([parseCrl(readFileSync(join(dir, 'ca/crl.pem')), 'crl.pem')]);
  // Issued by the demo root but never entered in its index: the responder does not know it.
  const rootPriv = createPrivateKey(readFileSync(rootSigner.key));
  const issuer = { cert: new x509.X509Certificate(readFileSync(rootSigner.cert)), key: await importKeyPair('rsa2048', rootPriv, createPublicKey(rootPriv)) };
  const k = await generateKey('p256');
  const now = Date.now();
  unknown = new X509Certificate(Buffer.from((await issueCertificate({
    subject: { cn: 'Not In Index', c: 'KZ' }, subjectKey: k, issuer, notBefore: new Date(now - MIN), notAfter: new Date(now + 60 * MIN),
    keyUsages: KU.digitalSignature, extKeyUsages: [EKU.clientAuth],
  })).rawData));
}, 120_000);

afterAll(() => {
  for (const r of responders) r.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('demo PKI certificates name where revocation is published', () => {
  test('AIA OCSP URL and CRL distribution point, as NCA certificates carry them', () => {
    const port = new URL(ocspUrlsOf(certInfo(good))[0]!).port;
    expect(good.infoAccess).toBe(`OCSP - URI:http://127.0.0.1:${port}/`);
    expect(certInfo(good).extensionValues.has('2.5.29.31')).toBe(true);
    const text = new x509.X509Certificate(good.raw).getExtension(x509.CRLDistributionPointsExtension);
    expect(text?.distributionPoints[0]?.distributionPoint?.fullName?.[0]?.uniformResourceIdentifier).toBe(`http://127.0.0.1:${port}/crl/root.crl`);
  });
  test('keys.example certificates carry them too', () => {
    const demo = new X509Certificate(readFileSync('keys.example/police/investigator-1.pem'));
    expect(ocspUrlsOf(certInfo(demo))).toEqual(['http://127.0.0.1:2560/']);
    expect(certInfo(demo).extensionValues.has('2.5.29.31')).toBe(true);
  });
});

describe('OCSP against openssl ocsp over the demo CA index', () => {
  let url: string;
  beforeAll(async () => {
    url = await startResponder(rootSigner, ['-nmin', '5'], Number(new URL(ocspUrlsOf(certInfo(good))[0]!).port));
    aiaUrl = url;
  });

  test('good: accepted, asking the responder the certificate names; the status is cached until nextUpdate (asked once)', async () => {
    let asked = 0;
    const http = httpOcspFetcher();
    const { v, ocsp } = validator({ url: 'http://127.0.0.1:1/unused', override: false, fetcher: (u, b) => (asked++, expect(u).toBe(aiaUrl), http(u, b)) });
    await check(v, good);
    const st = ocsp.cached(good, root)!;
    expect(st.status).toBe('good');
    expect(st.nextUpdate!.getTime() - st.thisUpdate.getTime()).toBe(5 * MIN);
    await check(v, good);
    v.validate(good, { purpose: 'tls-client' });
    expect(asked).toBe(1);
  });

  test('a status in the last quarter of its lifetime is still used, and refreshed in the background', async () => {
    let asked = 0;
    let now = new Date();
    const http = httpOcspFetcher();
    const { v } = validator({ url, now: () => now, fetcher: (u, b) => (asked++, http(u, b)) });
    await check(v, good);
    now = new Date(Date.now() + 2 * MIN);
    v.validate(good, { purpose: 'tls-client' });
    expect(asked).toBe(1);
    now = new Date(Date.now() + 4 * MIN);
    v.validate(good, { purpose: 'tls-client' });
    expect(asked).toBe(2);
  });

  test('revoked: cert.revoked', async () => {
    const { v } = validator({ url });
    await v.prepare(revoked, { purpose: 'tls-client' });
    const e = expectCode(() => v.validate(revoked, { purpose: 'tls-client' }), 'cert.revoked');
    expect(e.detail).toContain('OCSP');
  });

  test('unknown: cert.ocsp_unknown', async () => {
    const { v } = validator({ url });
    await v.prepare(unknown, { purpose: 'tls-client' });
    expectCode(() => v.validate(unknown, { purpose: 'tls-client' }), 'cert.ocsp_unknown');
  });

  test('stale: past nextUpdate the cached status no longer counts and a new answer is just as stale — fail closed', async () => {
    let now = new Date();
    const { v, ocsp } = validator({ url, now: () => now });
    await check(v, good);
    now = new Date(Date.now() + 6 * MIN); // the responder's answers say nextUpdate = thisUpdate + 5 min
    expect(ocsp.cached(good, root)).toBeUndefined();
    now = new Date(Date.now() + 60 * MIN);
    await v.prepare(good, { purpose: 'tls-client' });
    const e = expectCode(() => v.validate(good, { purpose: 'tls-client' }), 'cert.ocsp_unavailable');
    expect(e.detail).toMatch(/stale/);
  });

  test('a replayed response (another request\'s nonce) is refused', async () => {
    const http = httpOcspFetcher();
    let recorded: Buffer | undefined;
    const replaying: OcspFetcher = async (u, b) => (recorded ??= await http(u, b));
    const first = validator({ url, fetcher: replaying });
    await check(first.v, good);
    const second = validator({ url, fetcher: replaying });
    await second.v.prepare(good, { purpose: 'tls-client' });
    const e = expectCode(() => second.v.validate(good, { purpose: 'tls-client' }), 'cert.ocsp_unavailable');
    expect(e.detail).toMatch(/nonce/);
  });

  test('ocsp-then-crl: the OCSP answer decides while it is fresh (the CRL is not consulted)', async () => {
    const { v } = validator({ url, order: 'ocsp-then-crl', crls: new StaticCrlSource([]) });
    await check(v, good);
  });

  test('ocsp-then-crl without prepare(): the CRL decides the first call, the answer fetched meanwhile in the background decides the next', async () => {
    const { v, ocsp } = validator({ url, order: 'ocsp-then-crl', crls: crlSource });
    v.validate(unknown, { purpose: 'tls-client' }); // the CRL does not list it
    for (let i = 0; i < 100 && !ocsp.cached(unknown, root); i++) await new Promise((r) => setTimeout(r, 20));
    expectCode(() => v.validate(unknown, { purpose: 'tls-client' }), 'cert.ocsp_unknown');
  });

  test('crl-only: OCSP is not asked', async () => {
    let asked = 0;
    const { v } = validator({ url, order: 'crl-only', crls: crlSource, fetcher: async () => (asked++, Buffer.alloc(0)) });
    await check(v, good);
    await v.prepare(revoked, { purpose: 'tls-client' });
    expectCode(() => v.validate(revoked, { purpose: 'tls-client' }), 'cert.revoked');
    expect(asked).toBe(0);
  });
});

describe('OCSP failures fail closed', () => {
  test('responder down: ocsp-only refuses with cert.ocsp_unavailable (HTTP 503)', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/`;
    const { v } = validator({ url: dead });
    await v.prepare(good, { purpose: 'tls-client' });
    const e = expectCode(() => v.validate(good, { purpose: 'tls-client' }), 'cert.ocsp_unavailable');
    expect(e.detail).toMatch(/did not answer/);
  });

  test('responder down: ocsp-then-crl falls back to the CRL (good accepted, revoked refused), and without a CRL fails closed', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/`;
    const { v } = validator({ url: dead, order: 'ocsp-then-crl', crls: crlSource });
    await check(v, good);
    await v.prepare(revoked, { purpose: 'tls-client' });
    expectCode(() => v.validate(revoked, { purpose: 'tls-client' }), 'cert.revoked');
    const none = validator({ url: dead, order: 'ocsp-then-crl' });
    await none.v.prepare(good, { purpose: 'tls-client' });
    expectCode(() => none.v.validate(good, { purpose: 'tls-client' }), 'cert.ocsp_unavailable');
  });

  test('wrong responder key: a responder the CA never appointed is not believed, whatever it says', async () => {
    const k = await generateKey('p256');
    const now = Date.now();
    const rogue = await issueCertificate({ subject: { cn: 'Demo NCA RK Root', c: 'KZ' }, subjectKey: k, notBefore: new Date(now - MIN), notAfter: new Date(now + 60 * MIN), ca: {} });
    writeFileSync(join(dir, 'rogue.pem'), rogue.toString('pem'));
    writeFileSync(join(dir, 'rogue.key'), privateKeyPem(k));
    const url = await startResponder({ cert: join(dir, 'rogue.pem'), key: join(dir, 'rogue.key') }, ['-nmin', '5']);
    const { v } = validator({ url });
    await v.prepare(good, { purpose: 'tls-client' });
    const e = expectCode(() => v.validate(good, { purpose: 'tls-client' }), 'cert.ocsp_unavailable');
    expect(e.detail).toMatch(/not signed by the certificate's issuer|did not appoint/);
  });

  test('a delegated responder the CA appointed (EKU OCSPSigning) is believed; one without that EKU is not', async () => {
    const rootPriv = createPrivateKey(readFileSync(rootSigner.key));
    const issuer = { cert: new x509.X509Certificate(readFileSync(rootSigner.cert)), key: await importKeyPair('rsa2048', rootPriv, createPublicKey(rootPriv)) };
    const now = Date.now();
    const delegate = async (name: string, ekus: string[]): Promise<string> => {
      const k = await generateKey('p256');
      const c = await issueCertificate({ subject: { cn: name, c: 'KZ' }, subjectKey: k, issuer, notBefore: new Date(now - MIN), notAfter: new Date(now + 60 * MIN), keyUsages: KU.digitalSignature, extKeyUsages: ekus });
      writeFileSync(join(dir, `${name}.pem`), c.toString('pem'));
      writeFileSync(join(dir, `${name}.key`), privateKeyPem(k));
      return startResponder({ cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) }, ['-nmin', '5']);
    };
    const appointed = validator({ url: await delegate('ocsp-signer', ['1.3.6.1.5.5.7.3.9']) });
    await check(appointed.v, good);
    const notAppointed = validator({ url: await delegate('not-ocsp-signer', [EKU.clientAuth]) });
    await notAppointed.v.prepare(good, { purpose: 'tls-client' });
    const e = expectCode(() => notAppointed.v.validate(good, { purpose: 'tls-client' }), 'cert.ocsp_unavailable');
    expect(e.detail).toMatch(/OCSPSigning/);
  });
});
