import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { encryptAuthEnveloped } from '../../src/cms/auth-enveloped';
import { KEYS, sign } from '../support/identities';
import { P12_PASSWORD } from '../support/ncalayer';

/**
 * The page's own CMS code (console/src), run on Node's WebCrypto: it opens what the gateway's
 * code encrypts and verifies what the banks sign, and refuses another body's key and a changed byte
 * with the codes the CLI uses.
 */

/**
 * The page's modules are typed for the browser (DOM lib), which this Node project's tsc does not
 * load; their surface is declared here and they are loaded at run time (ts-jest compiles them).
 */
interface Verified { content: Uint8Array; subject: { cn: string; o: string }; bin: string }
interface PageKey { certificate: Uint8Array; key: unknown }
const page = (m: string): unknown => require(join(__dirname, '..', '..', 'console', 'src', m)) as unknown;
const { verifyCms } = page('cms-verify') as { verifyCms(der: Uint8Array): Promise<Verified> };
const { decryptAuthEnveloped } = page('enveloped') as { decryptAuthEnveloped(der: Uint8Array, cert: Uint8Array, key: unknown): Promise<Uint8Array> };
const { openDecryptionKey } = page('software-key') as { openDecryptionKey(file: Uint8Array, password: string): Promise<PageKey> };
const { verifyCheckpoint } = page('oversight/checkpoint') as { verifyCheckpoint(der: Uint8Array): Promise<{ body: Record<string, unknown>; sealKey: string }> };

const p12 = (name: string): Uint8Array => new Uint8Array(readFileSync(join(KEYS, 'police', `${name}.p12`)));
const certA = new X509Certificate(readFileSync(join(KEYS, 'police', 'encryption-A.pem')));

describe('the page\'s statement crypto', () => {
  it('decrypts AuthEnvelopedData with the body\'s PKCS#12 key and verifies the bank\'s ECDSA signature inside', async () => {
    const signed = sign({ hello: 'bank secret' }, 'banks/ALFAKZKA');
    const enc = encryptAuthEnveloped(signed, [certA]);
    const key = await openDecryptionKey(p12('encryption-A'), P12_PASSWORD);
    const plain = await decryptAuthEnveloped(new Uint8Array(enc), key.certificate, key.key);
    expect(Buffer.from(plain).equals(signed)).toBe(true);
    const v = await verifyCms(plain);
    expect(JSON.parse(Buffer.from(v.content).toString('utf8'))).toEqual({ hello: 'bank secret' });
    expect(v.subject.o).toMatch(/Alfa/i);
    expect(v.bin).toMatch(/^\d{12}$/);
  });

  it('verifies an RSA-signed document, and refuses a changed signed byte', async () => {
    const signed = sign({ a: 1 }, 'police/investigator-1.sign');
    expect((await verifyCms(new Uint8Array(signed))).subject.cn).toBe('Aibek Nurlanov');
    const at = signed.indexOf(Buffer.from('{"a":1}'));
    const changed = Buffer.from(signed);
    changed[at + 5] = 0x32;
    await expect(verifyCms(new Uint8Array(changed))).rejects.toMatchObject({ code: 'cms.digest_mismatch' });
  });

  it('refuses another body\'s key (statement.wrong_recipient) and a changed ciphertext byte (cms.decrypt_failed)', async () => {
    const enc = encryptAuthEnveloped(Buffer.from('x'.repeat(100)), [certA]);
    const keyB = await openDecryptionKey(p12('encryption-B'), P12_PASSWORD);
    await expect(decryptAuthEnveloped(new Uint8Array(enc), keyB.certificate, keyB.key)).rejects.toMatchObject({ code: 'statement.wrong_recipient' });
    const keyA = await openDecryptionKey(p12('encryption-A'), P12_PASSWORD);
    const flipped = new Uint8Array(enc);
    flipped[flipped.length - 30]! ^= 1;
    await expect(decryptAuthEnveloped(flipped, keyA.certificate, keyA.key)).rejects.toMatchObject({ code: 'cms.decrypt_failed' });
  });
});

describe('the page\'s checkpoint check (the same SignedData verifier as statements, signed-data.ts)', () => {
  const body = { origin: 'art50 test log', treeSize: 42, rootHash: Buffer.alloc(32, 7).toString('base64'), time: '2026-12-01T10:00:00.000Z' };

  it('verifies a checkpoint sealed by the gateway\'s key and names the seal key (SHA-256 of its SubjectPublicKeyInfo)', async () => {
    const v = await verifyCheckpoint(new Uint8Array(sign(body, 'gateway/seal')));
    expect(v.body).toEqual(body);
    const spki = new X509Certificate(readFileSync(join(KEYS, 'gateway', 'seal.pem'))).publicKey.export({ type: 'spki', format: 'der' });
    expect(v.sealKey).toBe(createHash('sha256').update(spki).digest('base64'));
  });

  it('refuses a changed signed byte (digest), garbage (malformed), and a checkpoint body that is not one (malformed)', async () => {
    const signed = sign(body, 'gateway/seal');
    const changed = Buffer.from(signed);
    changed[signed.indexOf(Buffer.from('"treeSize":42')) + 11] = 0x33;
    await expect(verifyCheckpoint(new Uint8Array(changed))).rejects.toMatchObject({ reason: 'digest' });
    await expect(verifyCheckpoint(new Uint8Array([0x30, 0x03, 0x06, 0x01, 0x00]))).rejects.toMatchObject({ reason: 'malformed' });
    await expect(verifyCheckpoint(new Uint8Array(sign({ treeSize: 'many' }, 'gateway/seal')))).rejects.toMatchObject({ reason: 'malformed' });
  });

  it('statements: garbage is cms.malformed, not a raw parse error', async () => {
    await expect(verifyCms(new Uint8Array([0x30, 0x03, 0x06, 0x01, 0x00]))).rejects.toMatchObject({ code: 'cms.malformed' });
    await expect(verifyCms(new Uint8Array([0x30, 0x82, 0xff]))).rejects.toMatchObject({ code: 'cms.malformed' });
  });
});

describe('the prosecutor\'s view of a signed request (signer-certificate.ts)', () => {
  interface Details { subjectCn: string; issuerCn: string; serial: string; notBefore: Date; notAfter: Date }
  const sc = page('signer-certificate') as {
    signerCertificate(der: Uint8Array): unknown;
    certificateDetails(cert: unknown): Details;
    checkSignature(der: Uint8Array): Promise<{ kind: string; code?: string }>;
  };
  const expected = (person: string): Details => {
    const c = new X509Certificate(readFileSync(join(KEYS, `${person}.pem`)));
    const cn = (dn: string): string => /^CN=(.*)$/m.exec(dn)![1]!;
    return { subjectCn: cn(c.subject), issuerCn: cn(c.issuer), serial: c.serialNumber.toUpperCase(), notBefore: new Date(c.validFrom), notAfter: new Date(c.validTo) };
  };

  it.each(['police/investigator-1.sign', 'police/investigator-gost.sign', 'banks/ALFAKZKA'])('reads the signer certificate of a document signed by %s as OpenSSL does', (person) => {
    const der = new Uint8Array(sign({ a: 1 }, person));
    expect(sc.certificateDetails(sc.signerCertificate(der))).toEqual(expected(person));
  });

  it('verdicts: valid (RSA and ECDSA), unsupported (GOST, not checked here), invalid with the failing check', async () => {
    expect(await sc.checkSignature(new Uint8Array(sign({ a: 1 }, 'police/investigator-1.sign')))).toEqual({ kind: 'valid' });
    expect(await sc.checkSignature(new Uint8Array(sign({ a: 1 }, 'banks/ALFAKZKA')))).toEqual({ kind: 'valid' });
    expect(await sc.checkSignature(new Uint8Array(sign({ a: 1 }, 'police/investigator-gost.sign')))).toEqual({ kind: 'unsupported' });
    const signed = sign({ a: 1 }, 'police/investigator-1.sign');
    const changed = Buffer.from(signed);
    changed[signed.indexOf(Buffer.from('{"a":1}')) + 5] = 0x32;
    expect(await sc.checkSignature(new Uint8Array(changed))).toEqual({ kind: 'invalid', code: 'cms.digest_mismatch' });
    const badSig = Buffer.from(signed);
    badSig[badSig.length - 3]! ^= 1; // inside the signature value, the last field of the signer info
    expect(await sc.checkSignature(new Uint8Array(badSig))).toEqual({ kind: 'invalid', code: 'cms.signature_invalid' });
    expect(await sc.checkSignature(new Uint8Array([0x30, 0x03, 0x06, 0x01, 0x00]))).toEqual({ kind: 'invalid', code: 'cms.malformed' });
    expect(sc.signerCertificate(new Uint8Array([0x30, 0x03, 0x06, 0x01, 0x00]))).toBeUndefined();
  });
});
