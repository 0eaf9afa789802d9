import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidBin, isValidIin } from '../../src/documents/check-digits';
import { KEYS, sign } from '../support/identities';

/** The committed demo trust world, checked with stock OpenSSL as a newcomer would. */
function leaves(dir = KEYS): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'ca' ? [] : leaves(p);
    return n.endsWith('.pem') ? [p] : [];
  });
}
const CA = join(KEYS, 'ca/root.pem');
const CRL = join(KEYS, 'ca/crl.pem');
/** GOST certificates need OpenSSL's gost engine (Debian libengine-gost-openssl, which .ci/run installs). */
const engine = (file: string): string[] => (file.includes('-gost.sign') ? ['-engine', 'gost'] : []);
const verify = (args: string[]) => spawnSync('openssl', ['verify', ...engine(args[args.length - 1]!), ...args], { encoding: 'utf8' });

describe('keys.example', () => {
  it.each(leaves().filter((p) => !p.includes('expired')).map((p) => [p.slice(KEYS.length + 1)]))('openssl verify says OK for %s, also with the CRL', (rel) => {
    expect(verify(['-CAfile', CA, join(KEYS, rel)]).stdout).toContain('OK');
    const withCrl = verify(['-crl_check', '-CRLfile', CRL, '-CAfile', CA, join(KEYS, rel)]);
    if (rel.includes('revoked')) {
      expect(withCrl.status).not.toBe(0);
      expect(withCrl.stdout + withCrl.stderr).toContain('certificate revoked');
    } else {
      expect(withCrl.stdout).toContain('OK');
    }
  });

  /** police/encryption-*: a body's certificate, not a person's. */
  const isBodyCertificate = (p: string): boolean => /\/police\/encryption-[A-Z]\.pem$/.test(p);

  it('every person has an AUTH key (clientAuth) and a SIGN key (emailProtection), both with an NCA owner kind', () => {
    const people = leaves().filter((p) => /\/(police|prosecutor|auditor)\//.test(p) && !p.endsWith('.sign.pem') && !isBodyCertificate(p));
    expect(people.length).toBeGreaterThanOrEqual(10);
    const ekus = (file: string): string => execFileSync('openssl', ['x509', ...engine(file), '-in', file, '-noout', '-ext', 'extendedKeyUsage'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const auth of people) {
      const sign = auth.replace(/\.pem$/, '.sign.pem');
      const a = ekus(auth);
      const s = ekus(sign);
      expect(a).toContain('TLS Web Client Authentication');
      expect(a).not.toContain('E-mail Protection');
      expect(s).toContain('E-mail Protection');
      expect(s).not.toContain('TLS Web Client Authentication');
      for (const e of [a, s]) expect(e).toContain('1.2.398.3.3.4.1.2');
      const firstHead = auth.endsWith('police/head-1.pem');
      expect(s.includes('1.2.398.3.3.4.1.2.1')).toBe(firstHead);
    }
    expect(ekus(join(KEYS, 'police/deputy-head-1.sign.pem'))).toContain('1.2.398.3.3.4.1.2.2');
  });

  it('a .p12 beside every PEM pair, with its chain, readable by stock openssl with the documented password', () => {
    for (const pem of leaves()) {
      const p12 = pem.replace(/\.pem$/, '.p12');
      const certs = execFileSync('openssl', ['pkcs12', ...engine(pem), '-in', p12, '-passin', 'pass:art50-demo', '-nokeys'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(certs.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
      const wrong = spawnSync('openssl', ['pkcs12', '-in', p12, '-passin', 'pass:wrong', '-nokeys'], { encoding: 'utf8' });
      expect(wrong.status).not.toBe(0);
    }
    expect(readFileSync(join(KEYS, 'README.md'), 'utf8')).toContain('art50-demo');
  });

  it('the expired certificate is refused as expired', () => {
    const r = verify(['-CAfile', CA, join(KEYS, 'police/investigator-expired.pem')]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('certificate has expired');
  });

  it('subjects follow the NCA convention with valid check digits', () => {
    for (const p of leaves()) {
      const subject = execFileSync('openssl', ['x509', '-in', p, '-noout', '-subject', '-nameopt', 'RFC2253'], { encoding: 'utf8' });
      const bin = /OU=BIN(\d{12})/.exec(subject)?.[1];
      expect(bin && isValidBin(bin)).toBe(true);
      const iin = /serialNumber=IIN(\d{12})/i.exec(subject)?.[1];
      if ((p.includes('/police/') || p.includes('/prosecutor/') || p.includes('/auditor/')) && !isBodyCertificate(p)) expect(iin && isValidIin(iin)).toBe(true);
    }
  });

  it('each police body has an encryption certificate (RSA, keyEncipherment only), listed in the registry, that openssl cms -encrypt accepts', () => {
    const registry = JSON.parse(readFileSync(join(KEYS, 'participants.json'), 'utf8')) as { organisations: Array<{ kind: string; bin: string; encryptionCertificate?: string }> };
    const bodies = registry.organisations.filter((o) => o.kind === 'police');
    expect(bodies).toHaveLength(2);
    for (const [body, letter] of bodies.map((b, i) => [b, 'AB'[i]] as const)) {
      const pem = readFileSync(join(KEYS, `police/encryption-${letter}.pem`), 'utf8');
      expect(body.encryptionCertificate?.trim()).toBe(pem.trim());
      const text = execFileSync('openssl', ['x509', '-in', join(KEYS, `police/encryption-${letter}.pem`), '-noout', '-text'], { encoding: 'utf8' });
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Key Encipherment\n/);
      expect(text).toContain(`OU = BIN${body.bin}`);
      expect(text).toContain('rsaEncryption');
    }
  });

  it('a document art50 signs verifies with plain openssl cms -verify (no -purpose) and yields the same bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'art50-keys-'));
    const content = Buffer.from('{"type":"request","hello":"Сәлем"}');
    writeFileSync(join(dir, 'd.p7s'), sign(content, 'police/head-1'));
    execFileSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(dir, 'd.p7s'), '-CAfile', CA, '-binary', '-out', join(dir, 'd.json')], { stdio: 'pipe' });
    expect(readFileSync(join(dir, 'd.json'))).toEqual(content);
  });
});
