import { X509Certificate } from 'node:crypto';
import { signCms } from '../../src/cms/sign';
import { Art50Error } from '../../src/errors';
import { makeRequest, makeSanction } from '../support/documents';
import { ROOT_PEM, signer } from '../support/identities';
import { inProcessVerifier } from '../support/pipeline';

let p: ReturnType<typeof inProcessVerifier>;
beforeAll(() => {
  p = inProcessVerifier();
});
afterAll(() => p.close());

/** The DER of the SubjectPublicKeyInfo inside `cert`, and where it starts in `der`. */
function spkiAt(der: Buffer, cert: X509Certificate): { at: number; spki: Buffer } {
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const at = der.indexOf(spki);
  if (at < 0) throw new Error('SPKI not found in the document');
  return { at, spki };
}

/** `der` with `edit` applied to a copy of the SPKI of `cert` (same length). */
function corruptSpki(der: Buffer, cert: X509Certificate, edit: (spki: Buffer) => void): Buffer {
  const { at, spki } = spkiAt(der, cert);
  const copy = Buffer.from(spki);
  edit(copy);
  const out = Buffer.from(der);
  copy.copy(out, at);
  return out;
}

const replaceFirst = (needle: number[], by: number[]) => (spki: Buffer): void => {
  const i = spki.indexOf(Buffer.from(needle));
  if (i < 0) throw new Error(`bytes ${needle} not in the SPKI`);
  Buffer.from(by).copy(spki, i);
};
const P256 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const RSA = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

function refusal(fn: () => unknown): Art50Error {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof Art50Error)) throw new Error(`expected a domain error, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return e;
  }
  throw new Error('the document was accepted');
}

/**
 * Issue 12.7: a CMS whose embedded signer or issuer certificate has a corrupted
 * SubjectPublicKeyInfo was answered http.internal (node:crypto's decode error escaped).
 */
describe('a corrupted SubjectPublicKeyInfo is a 4xx domain error', () => {
  const request = makeRequest();
  const requestDer = signCms(Buffer.from(JSON.stringify(request)), signer('police/investigator-1'));
  const sanctionDer = signCms(Buffer.from(JSON.stringify(makeSanction(request, 'a'.repeat(64)))), signer('prosecutor/prosecutor-1'));
  const pros = signer('prosecutor/prosecutor-1').cert;
  const inv = signer('police/investigator-1').cert;

  it.each([
    ['EC point prefix 04 → 05 (not a point encoding)', () => corruptSpki(sanctionDer, pros, (s) => { s[s.length - 65] = 0x05; })],
    ['EC point x coordinate changed (not on the curve)', () => corruptSpki(sanctionDer, pros, (s) => { s[s.length - 40] ^= 0xff; })],
    ['EC curve OID changed to an unknown curve', () => corruptSpki(sanctionDer, pros, replaceFirst(P256, [...P256.slice(0, -1), 0x09]))],
    ['EC key algorithm OID changed to rsaEncryption-like bytes', () => corruptSpki(sanctionDer, pros, (s) => { s[s.indexOf(0x3d) ] = 0x3e; })],
    ['EC BIT STRING unused-bits octet 00 → 07', () => corruptSpki(sanctionDer, pros, (s) => { s[s.length - 66] = 0x07; })],
    ['RSA modulus INTEGER tag 02 → 04', () => corruptSpki(requestDer, inv, (s) => { s[s.indexOf(0x02, RSA.length + 6)] = 0x04; })],
    ['RSA algorithm OID changed to an unknown one', () => corruptSpki(requestDer, inv, replaceFirst(RSA, [...RSA.slice(0, -1), 0x7f]))],
    ['RSA public exponent zeroed', () => corruptSpki(requestDer, inv, (s) => { s.fill(0, s.length - 3); })],
    ['RSA key BIT STRING content turned into garbage', () => corruptSpki(requestDer, inv, (s) => { s.fill(0xff, 24, 40); })],
  ])('signer certificate: %s', (_what, build) => {
    const e = refusal(() => p.verifier.open(build(), 'request'));
    expect(e.status).toBeGreaterThanOrEqual(400);
    expect(e.status).toBeLessThan(500);
  });

  it.each([
    ['modulus tag', (s: Buffer) => { s[s.indexOf(0x02, RSA.length + 6)] = 0x04; }],
    ['algorithm OID', replaceFirst(RSA, [...RSA.slice(0, -1), 0x7f])],
    ['key bytes', (s: Buffer) => { s.fill(0xff, 24, 40); }],
  ])('an included issuer (root) certificate with a corrupted key (%s): accepted or 4xx, never a foreign error', (_what, edit) => {
    const root = new X509Certificate(ROOT_PEM());
    const der = signCms(Buffer.from(JSON.stringify(makeRequest())), { ...signer('police/investigator-1'), chain: [root] });
    // The path is built to the configured anchor, so the corrupted copy may go unused (accepted);
    // what must never happen is node:crypto's decode error escaping.
    let thrown: unknown;
    try {
      p.verifier.open(corruptSpki(der, root, edit), 'request');
    } catch (e) {
      thrown = e;
    }
    if (thrown !== undefined) {
      expect(thrown).toBeInstanceOf(Art50Error);
      expect((thrown as Art50Error).status).toBeLessThan(500);
    }
  });
});
