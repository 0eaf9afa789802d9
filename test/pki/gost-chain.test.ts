import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { algId } from '../../src/asn1/der-write';
import { decode } from '../../src/asn1/der';
import { generateGostKey, GOST_OID, gostPublicKey, gostSign, kalkanSignatureToRfc, streebog } from '../../src/pki/gost';
import { digestAlgorithm, signatureAlgorithm, verifySignature } from '../../src/pki/suites';
import { loadTrust } from '../../src/pki/trust';
import { expectCode } from '../support/expect-code';

/**
 * GOST-signed certificate chains and CRLs, made by stock OpenSSL with the gost engine (Debian
 * libengine-gost-openssl, which .ci/run installs): a GOST 2012-512 root, GOST 2012-256 leaves, a
 * CRL signed with GOST 2012-512 + Streebog-512 — validated by art50's path validator.
 */
const dir = mkdtempSync(join(tmpdir(), 'art50-gost-ca-'));
const ossl = (args: string[]): void => {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  } catch (e) {
    throw new Error(`openssl ${args.join(' ')} failed (is libengine-gost-openssl installed?): ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
};

beforeAll(() => {
  writeFileSync(join(dir, 'ca.cnf'), [
    '[ ca ]', 'default_ca = CA_default', '[ CA_default ]', 'dir = .', 'database = ./index.txt', 'new_certs_dir = .',
    'serial = ./serial', 'crlnumber = ./crlnumber', 'default_md = md_gost12_512', 'default_crl_days = 30', 'policy = policy_any',
    '[ policy_any ]', 'commonName = supplied',
    '[ v3_ca ]', 'basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash',
    '[ v3_leaf ]', 'basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature,nonRepudiation',
    'extendedKeyUsage = emailProtection', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid', '',
  ].join('\n'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  const E = ['-engine', 'gost'];
  ossl(['genpkey', ...E, '-algorithm', 'gost2012_512', '-pkeyopt', 'paramset:A', '-out', 'root.key']);
  ossl(['req', ...E, '-new', '-x509', '-key', 'root.key', '-subj', '/CN=GOST Test Root', '-days', '365', '-md_gost12_512', '-config', 'ca.cnf', '-extensions', 'v3_ca', '-out', 'root.pem']);
  for (const name of ['leaf', 'revoked']) {
    ossl(['genpkey', ...E, '-algorithm', 'gost2012_256', '-pkeyopt', 'paramset:A', '-out', `${name}.key`]);
    ossl(['req', ...E, '-new', '-key', `${name}.key`, '-subj', `/CN=GOST ${name}`, '-out', `${name}.csr`]);
    ossl(['ca', ...E, '-batch', '-config', 'ca.cnf', '-cert', 'root.pem', '-keyfile', 'root.key', '-in', `${name}.csr`, '-out', `${name}.pem`, '-extensions', 'v3_leaf', '-days', '30']);
  }
  ossl(['ca', ...E, '-config', 'ca.cnf', '-cert', 'root.pem', '-keyfile', 'root.key', '-revoke', 'revoked.pem']);
  ossl(['ca', ...E, '-config', 'ca.cnf', '-cert', 'root.pem', '-keyfile', 'root.key', '-gencrl', '-out', 'crl.pem']);
});

const cert = (name: string): X509Certificate => new X509Certificate(readFileSync(join(dir, `${name}.pem`)));

describe('GOST R 34.10-2012 certificate paths and CRLs', () => {
  it('a GOST leaf under a GOST root validates, with the GOST-signed CRL', () => {
    const v = loadTrust({ anchors: [join(dir, 'root.pem')], crls: [join(dir, 'crl.pem')], crlOptions: { pollMs: 0 } });
    try {
      expect(v.validate(cert('leaf'), { purpose: 'signature' }).chain).toHaveLength(2);
    } finally {
      v.close();
    }
  });

  it('the revoked GOST leaf is refused from the GOST-signed CRL: cert.revoked', () => {
    const v = loadTrust({ anchors: [join(dir, 'root.pem')], crls: [join(dir, 'crl.pem')], crlOptions: { pollMs: 0 } });
    try {
      expectCode(() => v.validate(cert('revoked'), { purpose: 'signature' }), 'cert.revoked');
    } finally {
      v.close();
    }
  });

  it('a GOST leaf whose signature was tampered with does not chain: cert.untrusted', () => {
    const der = Buffer.from(cert('leaf').raw);
    der[der.length - 3] ^= 0x40;
    const v = loadTrust({ anchors: [join(dir, 'root.pem')], crls: [join(dir, 'crl.pem')], crlOptions: { pollMs: 0 } });
    try {
      expectCode(() => v.validate(new X509Certificate(der), { purpose: 'signature' }), 'cert.untrusted');
    } finally {
      v.close();
    }
  });

  it('a CRL whose GOST signature does not verify is not used: cert.crl_missing (fail closed)', () => {
    const pem = readFileSync(join(dir, 'crl.pem'), 'latin1');
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 3] ^= 0x40;
    writeFileSync(join(dir, 'bad-crl.der'), der);
    const v = loadTrust({ anchors: [join(dir, 'root.pem')], crls: [join(dir, 'bad-crl.der')], crlOptions: { pollMs: 0 } });
    try {
      expectCode(() => v.validate(cert('leaf'), { purpose: 'signature' }), 'cert.crl_missing');
    } finally {
      v.close();
    }
  });
});

describe("NCA RK's OIDs for the same algorithms", () => {
  const key = generateGostKey(GOST_OID.paramSet.tc26_256_A);
  const pub = { kind: 'gost' as const, key: gostPublicKey(key) };
  const data = Buffer.from('signed attributes');
  const rfcSignature = gostSign(key, streebog(256, data));

  it('NCA digest OIDs are Streebog', () => {
    expect(digestAlgorithm(decode(algId(GOST_OID.nca.digest256)))).toBe('streebog256');
    expect(digestAlgorithm(decode(algId(GOST_OID.nca.digest512)))).toBe('streebog512');
  });

  it("NCA's signature OID reads KalkanCrypt's byte order (r‖s little-endian), and only that", () => {
    const nca = signatureAlgorithm(decode(algId(GOST_OID.nca.signWithDigest256)));
    expect(verifySignature(nca, 'streebog256', data, pub, kalkanSignatureToRfc(rfcSignature))).toBe(true);
    expect(verifySignature(nca, 'streebog256', data, pub, rfcSignature)).toBe(false);
    const rfc = signatureAlgorithm(decode(algId(GOST_OID.signWithDigest256)));
    expect(verifySignature(rfc, 'streebog256', data, pub, rfcSignature)).toBe(true);
    expect(verifySignature(rfc, 'streebog512', data, pub, rfcSignature)).toBe(false); // the key fixes its digest
  });

  it("NCA's older GOST 34.310-2004 algorithm (GOST 34.311-95 digests) is outside the suites", () => {
    expectCode(() => signatureAlgorithm(decode(algId('1.2.398.3.10.1.1.1.2'))), 'cms.unsupported_algorithm');
    expectCode(() => digestAlgorithm(decode(algId('1.2.398.3.10.1.3.1'))), 'cms.unsupported_algorithm');
  });
});
