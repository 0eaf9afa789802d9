import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../config';
import { demoIdentity } from '../pki/demo-identity';
import { percentiles } from '../stats/aggregate';
import { LoadResult, makePairs, post, runPool } from './intake';

/**
 * The HTTPS load generator of the intake benchmark, run as a child process so its TLS and
 * signing work does not share the gateway's event loop (as wrk would not). Protocol over IPC:
 * it signs its documents, sends {ready}, waits for {go}, then sends {done, seconds, p50Ms, p99Ms}.
 */

async function main(): Promise<void> {
  const [port, requests, concurrency] = process.argv.slice(2).map(Number) as [number, number, number];
  const pairs = makePairs(requests, ['ALFAKZKA']);
  const ca = readFileSync(join(PACKAGE_ROOT, 'keys.example', 'ca', 'root.pem'));
  // TLS with the AUTH keys (the documents were signed with the SIGN keys by makePairs).
  const head = demoIdentity('police/head-1');
  const pros = demoIdentity('prosecutor/prosecutor-1');
  const policeAgent = new Agent({ keepAlive: true, maxSockets: concurrency, cert: head.certPem, key: head.keyPem, ca });
  const prosAgent = new Agent({ keepAlive: true, maxSockets: concurrency, cert: pros.certPem, key: pros.keyPem, ca });
  await new Promise<void>((go) => {
    process.once('message', () => go());
    process.send!({ ready: true });
  });
  const lat: number[] = [];
  const t0 = process.hrtime.bigint();
  await runPool(pairs, concurrency, async (p) => {
    const s = process.hrtime.bigint();
    const a = await post(policeAgent, port, '/v1/requests', p.request);
    const b = await post(prosAgent, port, `/v1/requests/${p.requestId}/sanction`, p.sanction);
    if (a !== 202 || b !== 201) throw new Error(`unexpected status ${a}/${b}`);
    lat.push(Number(process.hrtime.bigint() - s) / 1e6);
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const pc = percentiles(lat);
  process.send!({ done: true, seconds, p50Ms: pc.p50Ms, p99Ms: pc.p99Ms } satisfies LoadResult & { done: true });
  policeAgent.destroy();
  prosAgent.destroy();
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`load client failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
