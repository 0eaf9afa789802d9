/**
 * Offline audit benchmark: `entries` synthetic canonical entries (valid per
 * schemas/log-entry.schema.json) generated in memory, a checkpoint every 2^16 entries and one at
 * the end, all sealed with keys.example/gateway/seal via cmsCheckpointSigner; then the timed part:
 * the offline verification path (verifyLog over an in-memory source: every checkpoint signature,
 * path and gateway check, then auditLog: JSON, schema, canonical bytes, index, tree, roots).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../config';
import { canonicalJson, LogEntry } from '../log/entry';
import { cmsCheckpointSigner, encodeCheckpointBody } from '../log/checkpoint';
import { CompactRange } from '../log/merkle/compact-range';
import { leafHash } from '../log/merkle/hash';
import { gatewayTrust } from '../audit/trust';
import { verifyLog } from '../audit/verify';
import type { LogSource } from '../audit/source';

const EVENTS = ['request.received', 'sanction.granted', 'delivery.queued', 'delivery.delivered', 'delivery.acknowledged', 'statement.received'] as const;

export function syntheticEntry(i: number): Buffer {
  const e: LogEntry = {
    index: i,
    time: new Date(Date.UTC(2025, 2, 1) + i).toISOString(),
    event: EVENTS[i % EVENTS.length]!,
    requestId: `3f1c2a9e-7b64-4d7e-9a3c-${(i % 0xffffffffffff).toString(16).padStart(12, '0')}`,
    bank: 'ALFAKZKA',
    digests: { request: (i % 16).toString(16).repeat(64), ...(i % 6 === 5 ? { statement: 'ab'.repeat(32) } : {}) },
    actor: { fingerprint: 'cd'.repeat(32), role: 'gateway' },
    region: 'Almaty',
    article: '190-2-4',
  };
  return Buffer.from(canonicalJson(e), 'utf8');
}

export async function benchAuditVerify(opts: { entries: number; checkpointEvery?: number; log?: (m: string) => void }): Promise<{ entriesPerSec: number; seconds: number }> {
  const n = opts.entries;
  const every = opts.checkpointEvery ?? 65_536;
  const k = (p: string) => resolve(PACKAGE_ROOT, 'keys.example', p);
  const sign = cmsCheckpointSigner({ cert: new X509Certificate(readFileSync(k('gateway/seal.pem'))), key: createPrivateKey(readFileSync(k('gateway/seal.key'))) });
  const origin = 'art50/bench';
  const entries: Buffer[] = new Array(n);
  const checkpoints: Buffer[] = [];
  const range = new CompactRange();
  const time = '2025-03-01T10:00:00.000Z';
  for (let i = 0; i < n; i++) {
    entries[i] = syntheticEntry(i);
    range.append(leafHash(entries[i]!));
    if ((i + 1) % every === 0 || i + 1 === n) {
      checkpoints.push(await sign(encodeCheckpointBody({ origin, treeSize: i + 1, rootHash: range.root().toString('base64'), time })));
    }
  }
  opts.log?.(`audit bench: ${n} entries and ${checkpoints.length} checkpoints generated`);
  const source: LogSource = {
    name: 'memory',
    checkpoints: async () => checkpoints,
    entries: () => entries,
  };
  const trust = gatewayTrust();
  try {
    const t0 = process.hrtime.bigint();
    const r = await verifyLog({ source, trust, origin });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (!r.ok || r.entries !== n) throw new Error(`bench audit did not verify: ${JSON.stringify(r.divergence)}`);
    const entriesPerSec = n / seconds;
    opts.log?.(`audit bench: ${n} entries verified in ${seconds.toFixed(2)} s (${Math.round(entriesPerSec)}/s)`);
    return { entriesPerSec, seconds };
  } finally {
    trust.close();
  }
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 1_000_000);
  benchAuditVerify({ entries: n, log: (m) => console.log(m) }).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
