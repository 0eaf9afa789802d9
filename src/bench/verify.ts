import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { signCms } from '../cms/sign';
import { verifyCms } from '../cms/verify';
import { loadTrust } from '../pki/trust';
import { CertificateCache } from '../pki/cert-cache';

const KEYS = resolve(__dirname, '..', '..', 'keys.example');

/**
 * CPU cost of verifying a small signed document from a known signer: verifyCms + path validation
 * (cached path, so time/CRL checks only). Alternates an RSA-2048 (investigator-1) and an ECDSA
 * P-256 (head-1) document. Measured with process.cpuUsage (user + system) after a warm-up.
 */
export async function benchVerify(iterations: number): Promise<{ opsPerSec: number; cpuMsPerVerify: number }> {
  const doc = Buffer.from(JSON.stringify({ type: 'request', version: 1, requestId: '00000000-0000-4000-8000-000000000000' }));
  const docs = ['police/investigator-1.sign', 'police/head-1.sign'].map((p) =>
    signCms(doc, {
      cert: new X509Certificate(readFileSync(resolve(KEYS, `${p}.pem`))),
      key: createPrivateKey(readFileSync(resolve(KEYS, `${p}.key`))),
    }),
  );
  const trust = loadTrust({ anchors: [resolve(KEYS, 'ca/root.pem')], crls: [resolve(KEYS, 'ca/crl.pem')], crlOptions: { pollMs: 0 } });
  const certificates = new CertificateCache(100);
  const once = (der: Buffer): void => {
    const v = verifyCms(der, { certificates });
    trust.validate(v.signer, { purpose: 'signature', at: v.signingTime, intermediates: v.certificates });
  };
  try {
    for (let i = 0; i < Math.min(200, iterations); i++) once(docs[i % 2]!);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) once(docs[i % 2]!);
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return { opsPerSec: Math.round((iterations / wall) * 1000), cpuMsPerVerify: cpuMs / iterations };
  } finally {
    trust.close();
  }
}

if (require.main === module) {
  void benchVerify(Number(process.argv[2] ?? 5000)).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
}
