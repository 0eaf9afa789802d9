import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { verifyConsistency, verifyInclusion } from '../../src/log/merkle/verify';

/**
 * The public transparency-dev/merkle proof test vectors (RFC 9162 inclusion and consistency
 * proofs, with every mutation a verifier must refuse), read from the shared conformance data
 * beside the checkout — never copied into the project.
 */
const ROOT = resolve(__dirname, '..', '..', '..', 'shared', 'conformance', 'transparency-dev-merkle', 'testdata');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.json') ? [p] : [];
  });
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

interface Inclusion { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; desc: string; wantErr: boolean }
interface Consistency { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; desc: string; wantErr: boolean }

describe('transparency-dev Merkle proof vectors', () => {
  it('the vectors are present (../shared/conformance/transparency-dev-merkle)', () => {
    expect(existsSync(ROOT)).toBe(true);
  });

  const inclusion = existsSync(ROOT) ? files(join(ROOT, 'inclusion')) : [];
  const consistency = existsSync(ROOT) ? files(join(ROOT, 'consistency')) : [];

  it('has the whole set', () => {
    expect(inclusion.length + consistency.length).toBeGreaterThanOrEqual(150);
  });

  it.each(inclusion.map((f) => [relative(ROOT, f)]))('inclusion %s', (rel) => {
    const v = JSON.parse(readFileSync(join(ROOT, rel), 'utf8')) as Inclusion;
    const ok = verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
    expect({ desc: v.desc, accepted: ok }).toEqual({ desc: v.desc, accepted: !v.wantErr });
  });

  it.each(consistency.map((f) => [relative(ROOT, f)]))('consistency %s', (rel) => {
    const v = JSON.parse(readFileSync(join(ROOT, rel), 'utf8')) as Consistency;
    const ok = verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), (v.proof ?? []).map(b64));
    expect({ desc: v.desc, accepted: ok }).toEqual({ desc: v.desc, accepted: !v.wantErr });
  });
});
