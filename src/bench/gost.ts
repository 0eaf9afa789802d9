import { generateGostKey, GOST_OID, GostBits, gostPublicKey, GostPublicKey, gostSign, gostVerify, streebog } from '../pki/gost';

export interface GostVerifyCost {
  bits: GostBits;
  paramSet: string;
  /** CPU per verify of a key already seen (the usual case: a certificate signs many documents). */
  cpuMsPerVerify: number;
  /** CPU per verify of a key seen for the first time (point validation, no window table yet). */
  cpuMsPerVerifyNewKey: number;
}

/**
 * CPU cost of one pure-TypeScript GOST R 34.10-2012 verify, including the Streebog hash of a
 * 300-byte input (the size of a CMS SignerInfo's signed attributes). Measured with
 * process.cpuUsage after a warm-up, for a known key and for keys never seen before.
 */
export function benchGostVerify(bits: GostBits, iterations: number): GostVerifyCost {
  // The curves of NCA's GOST 34.10-2015 keys (tc26-256-A has cofactor 4: a new key's subgroup check costs a multiplication).
  const paramSet = bits === 256 ? GOST_OID.nca.paramSet256A : GOST_OID.nca.paramSet512A;
  const signedAttrs = Buffer.alloc(300, 0x31);
  const signer = (): { pub: GostPublicKey; sig: Buffer } => {
    const priv = generateGostKey(paramSet);
    return { pub: gostPublicKey(priv), sig: gostSign(priv, streebog(bits, signedAttrs)) };
  };
  const once = (s: { pub: GostPublicKey; sig: Buffer }): void => {
    if (!gostVerify(s.pub, streebog(bits, signedAttrs), s.sig)) throw new Error('GOST bench: a valid signature did not verify');
  };
  const cpuMsPer = (n: number, run: (i: number) => void): number => {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) run(i);
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / 1000 / n;
  };
  const known = signer();
  for (let i = 0; i < Math.min(100, iterations); i++) once(known);
  const cpuMsPerVerify = cpuMsPer(iterations, () => once(known));
  const fresh = Array.from({ length: Math.max(10, Math.floor(iterations / 10)) }, signer);
  const cpuMsPerVerifyNewKey = cpuMsPer(fresh.length, (i) => once(fresh[i]!));
  return { bits, paramSet, cpuMsPerVerify, cpuMsPerVerifyNewKey };
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 500);
  process.stdout.write(`${JSON.stringify([benchGostVerify(256, n), benchGostVerify(512, n)])}\n`);
}
