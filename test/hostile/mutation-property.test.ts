import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { Art50Error } from '../../src/errors';
import type { DocumentKind } from '../../src/documents/signed-document';
import { StatementWorkerPool } from '../../src/statements/worker-pool';
import { makeRequest, makeSanction } from '../support/documents';
import { startTestGateway, TestGateway } from '../support/gateway';
import { sign } from '../support/identities';
import { inProcessVerifier } from '../support/pipeline';
import { makeStatement } from '../statements/helpers';
import { applyMutation, lengthFields, mutationArb } from './mutations';

/**
 * Issue 12.7: at least 50,000 random bit flips, truncations and length-field edits of valid
 * requests, sanctions and statements, straight through the verification pipeline (CMS → path →
 * registry → JSON → schema): each is accepted or refused with a 4xx domain error — never a 5xx,
 * never a foreign exception. Samples go through the statement worker and through HTTPS.
 */
const RUNS: Record<DocumentKind, number> = { request: 17_000, sanction: 17_000, statement: 16_000 };
const SEED = Number(process.env.ART50_PROPERTY_SEED ?? 20261201);

const request = makeRequest();
const requestDigest = createHash('sha256').update(JSON.stringify(request)).digest('hex');
const SEEDS: Record<DocumentKind, Buffer> = {
  request: sign(request, 'police/investigator-1'),
  sanction: sign(makeSanction(request, requestDigest), 'prosecutor/prosecutor-1'),
  statement: sign(makeStatement(request, requestDigest, 'ALFAKZKA'), 'banks/ALFAKZKA'),
};

let p: ReturnType<typeof inProcessVerifier>;
beforeAll(() => {
  p = inProcessVerifier();
});
afterAll(() => p.close());

/** Undefined when accepted or refused with a 4xx domain error; otherwise what went wrong. */
function outcome(e: unknown): string | undefined {
  if (e === undefined) return undefined;
  if (!(e instanceof Art50Error)) return `foreign exception ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  if (e.status >= 500) return `${e.status} ${e.code}: ${e.detail}`;
  return undefined;
}

describe('mutated documents through the verification pipeline', () => {
  it.each(Object.keys(RUNS) as DocumentKind[])('%s: every mutation is accepted or refused with a 4xx domain error', (kind) => {
    const der = SEEDS[kind];
    expect(p.verifier.open(der, kind).digest).toHaveLength(64); // the seed itself is valid
    const codes = new Map<string, number>();
    fc.assert(
      fc.property(mutationArb(der, lengthFields(der)), (m) => {
        let thrown: unknown;
        try {
          p.verifier.open(applyMutation(der, m), kind);
        } catch (e) {
          thrown = e;
          if (e instanceof Art50Error) codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
        }
        const bad = outcome(thrown);
        if (bad) throw new Error(bad);
      }),
      { numRuns: RUNS[kind], seed: SEED },
    );
    // The mutations reach every stage, not only the DER reader.
    for (const c of ['cms.malformed', 'cms.digest_mismatch', 'cms.signature_invalid']) expect(codes.get(c) ?? 0).toBeGreaterThan(0);
    expect(codes.size).toBeGreaterThanOrEqual(8);
  }, 240_000);
});

describe('a sample through the statement worker', () => {
  it('400 mutated statements: accepted or 4xx, and the worker stays alive', async () => {
    const pool = new StatementWorkerPool({ size: 1, jobTimeoutMs: 10_000, maxQueued: 1000 });
    try {
      const der = SEEDS.statement;
      const sample = fc.sample(mutationArb(der, lengthFields(der)), { numRuns: 400, seed: SEED });
      for (const m of sample) {
        let thrown: unknown;
        try {
          (await pool.open(applyMutation(der, m))).release();
        } catch (e) {
          thrown = e;
        }
        const bad = outcome(thrown);
        if (bad) throw new Error(`${JSON.stringify(m)}: ${bad}`);
      }
      const ok = await pool.open(der);
      expect(ok.digest).toHaveLength(64);
      ok.release();
    } finally {
      await pool.close();
    }
  }, 120_000);
});

describe('a sample through HTTPS', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({}, { workers: false });
  });
  afterAll(async () => {
    await t.stop();
  });

  const ROUTES: Record<DocumentKind, { path: string; who: string }> = {
    request: { path: '/v1/requests', who: 'police/investigator-1' },
    sanction: { path: `/v1/requests/${String(request.requestId)}/sanction`, who: 'prosecutor/prosecutor-1' },
    statement: { path: '/v1/statements', who: 'banks/ALFAKZKA' },
  };

  it.each(Object.keys(ROUTES) as DocumentKind[])('100 mutated %s documents: no 5xx, every refusal problem+json', async (kind) => {
    if (kind === 'sanction') expect((await t.as('police/investigator-1').post('/v1/requests', SEEDS.request)).status).toBeLessThan(300);
    const der = SEEDS[kind];
    const { path, who } = ROUTES[kind];
    for (const m of fc.sample(mutationArb(der, lengthFields(der)), { numRuns: 100, seed: SEED + 1 })) {
      const res = await t.as(who).post(path, applyMutation(der, m));
      if (res.status >= 500) throw new Error(`${JSON.stringify(m)}: ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status >= 400) expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect((await t.as().get('/healthz')).status).toBe(200);
  }, 60_000);
});
