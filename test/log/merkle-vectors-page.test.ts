import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { verifyConsistency } from '../../console/src/oversight/merkle';

/**
 * The oversight page's own consistency verifier (console/src/oversight/merkle.ts, WebCrypto, run
 * here on Node's) against the public transparency-dev/merkle consistency vectors, as the gateway's
 * verifier is in merkle-vectors.test.ts: the auditor's browser must accept and refuse exactly the
 * same proofs. Read from the shared conformance data beside the checkout, never copied.
 */
const ROOT = resolve(__dirname, '..', '..', '..', 'shared', 'conformance', 'transparency-dev-merkle', 'testdata', 'consistency');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.json') ? [p] : [];
  });
}

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

interface Consistency { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; desc: string; wantErr: boolean }

describe('the oversight page\'s consistency verifier on the transparency-dev vectors', () => {
  const vectors = existsSync(ROOT) ? files(ROOT) : [];

  it('has the vectors (../shared/conformance/transparency-dev-merkle)', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(50);
  });

  it.each(vectors.map((f) => [relative(ROOT, f)]))('consistency %s', async (rel) => {
    const v = JSON.parse(readFileSync(join(ROOT, rel), 'utf8')) as Consistency;
    const ok = await verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), (v.proof ?? []).map(b64));
    expect({ desc: v.desc, accepted: ok }).toEqual({ desc: v.desc, accepted: !v.wantErr });
  });
});
