import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptAuthEnveloped, encryptAuthEnveloped, parseAuthEnveloped } from '../../src/cms/auth-enveloped';
import { signCms } from '../../src/cms/sign';
import type { StatementHeaderDoc } from '../../src/documents/types';
import { joinSealedUpload, sealStatement, sha256Hex } from '../../src/statements/sealed';
import { unsealStatement } from '../../src/statements/unseal';
import type { Response } from 'superagent';
import { loadClientTrust } from '../../src/client/trust';
import { INV, sanctionedRequest } from '../support/flow';
import { startTestGateway, TestGateway } from '../support/gateway';
import { ENCRYPTED_REGISTRY, identity, KEYS, sign, signer } from '../support/identities';
import { binary, delivered, logEntries, makeStatement } from './helpers';

/**
 * Statements encrypted to the requesting body (issue 14.1): the bank signs, encrypts the signed CMS
 * to the body's encryption certificate (AuthEnvelopedData, RSA-OAEP + AES-256-GCM) and signs a
 * header; the gateway checks the header and the ciphertext's digest and recipient, stores the
 * ciphertext as is and never opens it; the investigator decrypts, verifies and checks the digests.
 */

const ALFA = 'banks/ALFAKZKA';
const ENC_A = join(KEYS, 'police/encryption-A');
const ENC_B = join(KEYS, 'police/encryption-B');
const certA = new X509Certificate(readFileSync(`${ENC_A}.pem`));
const certB = new X509Certificate(readFileSync(`${ENC_B}.pem`));
const keyA = createPrivateKey(readFileSync(`${ENC_A}.key`));
const root = join(KEYS, 'ca/root.pem');

const dir = mkdtempSync(join(tmpdir(), 'art50-enc-'));
let n = 0;
const file = (data: Buffer): string => {
  const f = join(dir, `f${n++}`);
  writeFileSync(f, data);
  return f;
};
const openssl = (args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 ** 2 });

function expectProblem(res: Response, code: string, status: number): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
}

let t: TestGateway;
const trust = loadClientTrust({ ca: root, crl: [join(KEYS, 'ca/crl.pem')], registry: ENCRYPTED_REGISTRY });
afterAll(() => trust.close());
beforeAll(async () => {
  t = await startTestGateway({ ART50_REGISTRY: ENCRYPTED_REGISTRY });
});
afterAll(async () => {
  await t.stop();
});

const download = (who: string, statementId: unknown) => t.as(who).get(`/v1/statements/${statementId}`).buffer(true).parse(binary);

describe('AuthEnvelopedData with stock OpenSSL', () => {
  it('openssl cms -decrypt opens what art50 encrypts, and the content is byte-identical', () => {
    const content = signCms(Buffer.from('{"hello":"bank secret"}'), signer(ALFA));
    const enc = encryptAuthEnveloped(content, [certA]);
    const out = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', file(enc), '-recip', `${ENC_A}.pem`, '-inkey', `${ENC_A}.key`, '-binary']);
    expect(out.equals(content)).toBe(true);
    const verified = openssl(['cms', '-verify', '-inform', 'DER', '-in', file(out), '-CAfile', root, '-binary']);
    expect(verified.toString()).toBe('{"hello":"bank secret"}');
  });

  it('art50 opens what openssl cms -encrypt -aes-256-gcm with RSA-OAEP/SHA-256 writes', () => {
    const content = Buffer.from('statement bytes from openssl');
    const enc = openssl(['cms', '-encrypt', '-binary', '-aes-256-gcm', '-in', file(content), '-outform', 'DER', '-recip', `${ENC_A}.pem`,
      '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha256']);
    expect(decryptAuthEnveloped(enc, keyA, certA).equals(content)).toBe(true);
  });

  it('refuses PKCS#1 v1.5 key transport (openssl\'s default) before any crypto, and a changed byte or another key', () => {
    const content = Buffer.from('x');
    const v15 = openssl(['cms', '-encrypt', '-binary', '-aes-256-gcm', '-in', file(content), '-outform', 'DER', '-recip', `${ENC_A}.pem`]);
    expect(() => parseAuthEnveloped(v15)).toThrow(expect.objectContaining({ code: 'cms.unsupported_algorithm' }));
    const enc = encryptAuthEnveloped(Buffer.from('a statement'), [certA]);
    const flipped = Buffer.from(enc);
    flipped[flipped.length - 20]! ^= 1; // inside the ciphertext / tag
    expect(() => decryptAuthEnveloped(flipped, keyA, certA)).toThrow(expect.objectContaining({ code: 'cms.decrypt_failed' }));
    expect(() => decryptAuthEnveloped(enc, createPrivateKey(readFileSync(`${ENC_B}.key`)), certB)).toThrow(expect.objectContaining({ code: 'statement.wrong_recipient' }));
  });
});

async function deliveredRequest(): Promise<{ doc: Record<string, unknown>; digest: string; bundle: Record<string, unknown> }> {
  const { doc, digest } = await sanctionedRequest(t, { banks: ['ALFAKZKA'] });
  const bundle = await delivered(t, 'ALFAKZKA', doc.requestId) as unknown as Record<string, unknown>;
  return { doc, digest, bundle };
}

function sealFor(statement: Record<string, unknown>, recipient: X509Certificate): ReturnType<typeof sealStatement> & { signed: Buffer } {
  const signed = sign(statement, ALFA);
  return { ...sealStatement({ signed, recipient, signer: signer(ALFA) }), signed };
}

describe('the gateway carries encrypted statements it cannot read', () => {
  it('hands the body\'s encryption certificate to the bank, stores the ciphertext as posted, and the investigator decrypts, verifies and checks the digests; openssl does the same', async () => {
    const { doc, digest, bundle } = await deliveredRequest();
    expect(bundle.encryptionCertificate).toBe(certA.raw.toString('base64'));

    const statement = makeStatement(doc, digest, 'ALFAKZKA');
    const sealed = sealFor(statement, certA);
    const res = await t.as(ALFA).post('/v1/statements', joinSealedUpload(sealed));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ statementId: statement.statementId, digest: sha256Hex(Buffer.from(JSON.stringify(statement))), result: 'found' });

    // What Redis holds: the ciphertext and the header, never the statement's JSON.
    const stored = await t.gw.redis.hgetallBuffer(t.gw.keys.statement(String(statement.statementId)));
    expect(stored.cms!.equals(sealed.ciphertext)).toBe(true);
    const everything = Buffer.concat(Object.values(stored));
    const iban = (statement.accounts as Array<{ iban: string }>)[0]!.iban;
    expect(everything.includes(Buffer.from(iban))).toBe(false);
    expect(everything.includes(Buffer.from(String((statement.subject as { iin: string }).iin)))).toBe(false);

    const entries = await logEntries(t);
    // The entry logs what the verified header says: digests of the content, of the bank-signed CMS
    // inside and of the ciphertext, and the counts.
    expect(entries.find((e) => e.event === 'statement.received' && e.statementId === statement.statementId)).toMatchObject({
      digests: { statement: res.body.digest, ciphertext: sha256Hex(sealed.ciphertext), signedStatement: sha256Hex(sealed.signed) },
      counts: sealed.doc.counts,
    });
    expect(sealed.doc.counts.accounts).toBeGreaterThan(0);

    const list = await t.as(INV).get(`/v1/requests/${doc.requestId}/statements`);
    expect(list.status).toBe(200);
    const item = list.body.items[0];
    expect(item).toMatchObject({ statementId: statement.statementId, encrypted: true, header: sealed.header.toString('base64') });

    const got = await download(INV, statement.statementId);
    expect(got.status).toBe(200);
    expect((got.body as Buffer).equals(sealed.ciphertext)).toBe(true);
    expect(got.headers['x-art50-statement-header']).toBe(sealed.header.toString('base64'));

    // The investigator's side: header verified, ciphertext decrypted with body A's key, both digests and the bank's signature checked.
    const header = trust.open(sealed.header, 'statement-header');
    const opened = unsealStatement({ header, ciphertext: got.body as Buffer, identity: { cert: certA, key: keyA }, open: (b) => trust.open(b, 'statement') });
    expect(opened.statement.doc).toEqual(statement);
    expect(opened.signed.equals(sealed.signed)).toBe(true);

    // Stock OpenSSL with the body's key: decrypt, then verify the bank's signature.
    const plain = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', file(got.body as Buffer), '-recip', `${ENC_A}.pem`, '-inkey', `${ENC_A}.key`, '-binary']);
    const content = openssl(['cms', '-verify', '-inform', 'DER', '-in', file(plain), '-CAfile', root, '-binary']);
    expect(JSON.parse(content.toString('utf8'))).toEqual(statement);
  });

  it('refuses a plain statement for a body with an encryption certificate, a header that does not match the ciphertext and a ciphertext for another body; nothing is stored', async () => {
    const { doc, digest } = await deliveredRequest();
    const statement = makeStatement(doc, digest, 'ALFAKZKA');
    const key = t.gw.keys.statement(String(statement.statementId));

    expectProblem(await t.as(ALFA).post('/v1/statements', sign(statement, ALFA)), 'statement.encryption_required', 422);

    const good = sealFor(statement, certA);
    const other = encryptAuthEnveloped(good.signed, [certA]);
    expectProblem(await t.as(ALFA).post('/v1/statements', joinSealedUpload({ header: good.header, ciphertext: other })), 'statement.header_mismatch', 422);

    const toB = sealFor(statement, certB);
    expectProblem(await t.as(ALFA).post('/v1/statements', joinSealedUpload(toB)), 'statement.wrong_recipient', 422);

    // Addressed to body A and also to body B: a third party could read it, so it is refused.
    const toBoth = encryptAuthEnveloped(good.signed, [certA, certB]);
    const bothHeader = signCms(Buffer.from(JSON.stringify({ ...good.doc, digests: { ...good.doc.digests, ciphertext: sha256Hex(toBoth) } }), 'utf8'), signer(ALFA));
    expectProblem(await t.as(ALFA).post('/v1/statements', joinSealedUpload({ header: bothHeader, ciphertext: toBoth })), 'statement.wrong_recipient', 422);

    // A header naming another delivery than this bank's of this request.
    const otherDelivery = sealStatement({ signed: good.signed, recipient: certA, signer: signer(ALFA), deliveryId: `${doc.requestId}.BETAKZKA` });
    const mismatch = await t.as(ALFA).post('/v1/statements', joinSealedUpload(otherDelivery));
    expectProblem(mismatch, 'statement.header_mismatch', 422);
    expect(mismatch.body.field).toBe('/deliveryId');

    // A header signed by the bank but claiming another bank's BIC, and one by another bank.
    const forged = sealStatement({ signed: good.signed, recipient: certA, signer: signer('banks/BETAKZKA') });
    expectProblem(await t.as(ALFA).post('/v1/statements', joinSealedUpload(forged)), 'participant.wrong_bank', 403);

    expect(await t.gw.redis.exists(key)).toBe(0);
    const status = await t.as(INV).get(`/v1/requests/${doc.requestId}`);
    expect(status.body.banks[0].state).not.toBe('answered');
    const refused = (await logEntries(t)).filter((e) => e.event === 'statement.refused' && e.requestId === doc.requestId).map((e) => e.code);
    expect(refused).toEqual(expect.arrayContaining(['statement.encryption_required', 'statement.header_mismatch', 'statement.wrong_recipient']));

    // The good one is still accepted afterwards, with the header naming this bank's delivery.
    const named = sealStatement({ signed: good.signed, recipient: certA, signer: signer(ALFA), deliveryId: `${doc.requestId}.ALFAKZKA` });
    expect((await t.as(ALFA).post('/v1/statements', joinSealedUpload(named))).status).toBe(201);
  });

  it('the investigator refuses a statement whose content differs from the bank-signed header', () => {
    const statement = { type: 'statement', version: 1, statementId: '0b8f3a52-4d4e-4c3e-9a55-6f0a1c2b3d4e', requestId: '1b8f3a52-4d4e-4c3e-9a55-6f0a1c2b3d4e', requestDigest: 'a'.repeat(64), bank: { bic: 'ALFAKZKA', bin: '' }, generatedAt: new Date().toISOString(), result: 'not_found' };
    const bin = trust.registry.bankByBic('ALFAKZKA')!.bin;
    const real = { ...statement, bank: { bic: 'ALFAKZKA', bin } };
    const sealed = sealFor(real, certA);
    // The bank signs a header that claims "found" for what is really "not_found".
    const lie: StatementHeaderDoc = { ...sealed.doc, result: 'found' };
    const header = trust.open(signCms(Buffer.from(JSON.stringify(lie)), signer(ALFA)), 'statement-header');
    expect(() => unsealStatement({ header, ciphertext: sealed.ciphertext, identity: { cert: certA, key: keyA }, open: (b) => trust.open(b, 'statement') }))
      .toThrow(expect.objectContaining({ code: 'statement.header_mismatch', field: '/result' }));
    expect(identity('police/encryption-A').cert.fingerprint256).toBe(certA.fingerprint256);
  });
});
