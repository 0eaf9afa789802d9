import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../config';
import { demoIdentity } from '../demo/pki/identity';
import { percentiles } from '../stats/aggregate';
import { LoadResult, makePairs, post, runPool } from './intake';

/**
 * The HTTPS load generator of the intake benchmark, run as a child process so its TLS and
 * signing work does not share the server's event loop (as wrk would not). The same client runs
 * against the bare server and the gateway. Protocol over IPC: it signs its documents, sends
 * {ready}, waits for {go}, then sends {done, …LoadResult}.
 *
 * Arguments: <port> <pairs> <concurrency> [<rate> [<warm-up pairs>]]. Without a rate it is a
 * closed loop: `concurrency` pairs in flight, each one started when one ends. With a rate it is an
 * open loop: pair i starts at start + i / rate whatever the answers do, and its latency counts from
 * that scheduled time (a slow answer cannot hold back the next pairs and hide its own delay). The
 * warm-up pairs go first, at the same rate, and are not counted: they meet a server that has just
 * started (code not yet compiled, TLS connections being opened), which a service running for days
 * is not.
 */

async function main(): Promise<void> {
  const [port, requests, concurrency, rate, warmup = 0] = process.argv.slice(2).map(Number) as [number, number, number, number | undefined, number | undefined];
  const pairs = makePairs(requests + warmup, ['ALFAKZKA']);
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
  const sanctions: Array<[string, number]> = [];
  // A refused pair (e.g. 503 while the gateway is overloaded) is counted, not fatal: an open loop
  // past the server's capacity must still report what happened.
  const failures: Record<string, number> = {};
  const pair = async (p: (typeof pairs)[number], from: bigint, counted = true): Promise<void> => {
    const a = await post(policeAgent, port, '/v1/requests', p.request);
    if (!counted) return void (await post(prosAgent, port, `/v1/requests/${p.requestId}/sanction`, p.sanction));
    if (a !== 202) {
      failures[`request ${a}`] = (failures[`request ${a}`] ?? 0) + 1;
      return;
    }
    const sentAt = Date.now();
    const b = await post(prosAgent, port, `/v1/requests/${p.requestId}/sanction`, p.sanction);
    if (b !== 201) {
      failures[`sanction ${b}`] = (failures[`sanction ${b}`] ?? 0) + 1;
      return;
    }
    sanctions.push([p.requestId, sentAt]);
    lat.push(Number(process.hrtime.bigint() - from) / 1e6);
  };
  let t0 = process.hrtime.bigint();
  if (rate) {
    const interval = 1e9 / rate;
    const start = t0;
    t0 = start + BigInt(Math.round(warmup * interval));
    await Promise.all(pairs.map(async (p, i) => {
      const at = start + BigInt(Math.round(i * interval));
      const wait = Number(at - process.hrtime.bigint()) / 1e6;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await pair(p, at, i >= warmup);
    }));
  } else {
    await runPool(pairs, concurrency, (p) => pair(p, process.hrtime.bigint()));
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const pc = percentiles(lat);
  process.send!({ done: true, seconds, p50Ms: pc.p50Ms, p99Ms: pc.p99Ms, sanctions, failures } satisfies LoadResult & { done: true });
  policeAgent.destroy();
  prosAgent.destroy();
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`load client failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
