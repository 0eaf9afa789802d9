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
const verify = (args: string[]) => spawnSync('openssl', ['verify', ...args], { encoding: 'utf8' });

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
      if (p.includes('/police/') || p.includes('/prosecutor/') || p.includes('/auditor/')) expect(iin && isValidIin(iin)).toBe(true);
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
