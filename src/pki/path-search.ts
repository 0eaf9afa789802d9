import type { X509Certificate } from 'node:crypto';
import { Art50Error } from '../errors';
import { CertInfo, certInfo } from './cert-info';
import { certificateSignedBy } from './suites';

/** A built path, leaf first, trust anchor last, with each certificate's parsed fields. */
export interface CertPath {
  chain: X509Certificate[];
  infos: CertInfo[];
}

/** Signature checks one path build may spend before it gives up (pathological intermediates). */
const SEARCH_BUDGET = 64;

/**
 * Depth-first path building with backtracking (RFC 4158 in its simplest form): from the leaf,
 * try every certificate whose subject is the current issuer name and whose key verifies the
 * current signature — trust anchors first, then the supplied intermediates — and accept the first
 * complete path that passes `accept`. When none does, the error of the most promising dead end is
 * thrown: a complete path's refusal before "no issuer found".
 */
export class PathSearch {
  private spent = 0;
  private pathError: unknown;
  private otherError: unknown;

  constructor(
    private readonly anchors: readonly { cert: X509Certificate; info: CertInfo }[],
    private readonly intermediates: readonly X509Certificate[],
    private readonly maxLogical: number,
    private readonly accept: (chain: X509Certificate[], infos: CertInfo[]) => void,
  ) {}

  run(leaf: X509Certificate, leafInfo: CertInfo): CertPath {
    const found = this.extend([leaf], [leafInfo]);
    if (found) return found;
    throw this.pathError ?? this.otherError ?? new Art50Error('cert.untrusted', `no trusted issuer found for "${leafInfo.subject.cn ?? leafInfo.serial}"`);
  }

  private verifies(cert: X509Certificate, issuer: X509Certificate): boolean {
    if (this.spent++ >= SEARCH_BUDGET) {
      this.otherError ??= new Art50Error('cert.untrusted', `path building gave up after ${SEARCH_BUDGET} signature checks`);
      return false;
    }
    return signedBy(cert, issuer);
  }

  private extend(chain: X509Certificate[], infos: CertInfo[]): CertPath | undefined {
    const current = chain[chain.length - 1]!;
    const currentInfo = infos[infos.length - 1]!;
    const inPath = (fp: string): boolean => infos.some((x) => x.fingerprint === fp);
    for (const a of this.anchors) {
      if (!a.info.subjectName.equals(currentInfo.issuer) || inPath(a.info.fingerprint) || !this.verifies(current, a.cert)) continue;
      const full = { chain: [...chain, a.cert], infos: [...infos, a.info] };
      try {
        this.accept(full.chain, full.infos);
        return full;
      } catch (e) {
        this.pathError ??= e;
      }
    }
    for (const c of this.intermediates) {
      let ci: CertInfo;
      try {
        ci = certInfo(c);
      } catch (e) {
        this.otherError ??= e;
        continue;
      }
      if (!ci.subjectName.equals(currentInfo.issuer) || inPath(ci.fingerprint)) continue;
      const next = [...infos, ci];
      if (logicalIntermediates(next) > this.maxLogical || next.length - 1 > 2 * this.maxLogical + 2) {
        this.otherError ??= new Art50Error('cert.untrusted', 'no trust anchor within the allowed path length');
        continue;
      }
      if (!this.verifies(current, c)) continue;
      const found = this.extend([...chain, c], next);
      if (found) return found;
    }
    return undefined;
  }
}

/** Intermediates that count toward path lengths: self-issued ones do not (RFC 5280 §6.1.4 (l)). */
export function logicalIntermediates(infos: readonly CertInfo[]): number {
  let n = 0;
  for (let i = 1; i < infos.length; i++) if (!infos[i]!.selfIssued) n++;
  return n;
}

/**
 * Does `issuer`'s key verify `cert`'s signature? The one place certificate signatures are checked;
 * a key node:crypto cannot decode (a malformed issuer key) simply does not verify.
 */
export function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return certificateSignedBy(cert, issuer);
}
