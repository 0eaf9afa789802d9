import { makeRequest, makeSanction } from './documents';
import type { TestGateway } from './gateway';
import { sign } from './identities';

export const INV = 'police/investigator-1';
export const PROS = 'prosecutor/prosecutor-1';

/** Submits a request as investigator-1 and has prosecutor-1 grant it; returns the request and its digest. */
export async function sanctionedRequest(t: TestGateway, over: Record<string, unknown> = {}): Promise<{ doc: Record<string, unknown>; digest: string }> {
  const doc = makeRequest(over);
  const res = await t.as(INV).post('/v1/requests', sign(doc, INV));
  if (res.status !== 202) throw new Error(`intake failed: ${res.status} ${JSON.stringify(res.body)}`);
  const s = await t.as(PROS).post(`/v1/requests/${doc.requestId}/sanction`, sign(makeSanction(doc, res.body.digest), PROS));
  if (s.status !== 201) throw new Error(`sanction failed: ${s.status} ${JSON.stringify(s.body)}`);
  return { doc, digest: res.body.digest };
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
