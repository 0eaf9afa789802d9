/**
 * `art50 audit prove` without commander: a gateway receipt (CMS over canonical JSON
 * {type:'receipt', event, logIndex, requestId, digest, …}) is proven when
 *   1. the receipt verifies (signature, path to the trust root, signer is the gateway);
 *   2. a checkpoint signed by the gateway covers its logIndex (otherwise: not yet integrated);
 *   3. the log entry at logIndex matches the receipt (event, requestId, digest, …);
 *   4. the entry's leaf hash is included under the checkpoint's root (RFC 9162 inclusion proof).
 */
import { verifyCms } from '../cms/verify';
import { isArt50Error } from '../errors';
import { CheckpointBody, rootHashOf } from '../log/checkpoint';
import { leafHash, nodeHash } from '../log/merkle/hash';
import { inclusionProof } from '../log/merkle/proof';
import { NodeId } from '../log/merkle/proof-plan';
import { verifyInclusion } from '../log/merkle/verify';
import { claimedTreeSize, DirLogSource } from './files';
import type { RemoteLogSource } from './remote-source';
import type { GatewayTrust } from './trust';
import { gatewayCheckpointVerifier } from './verify';

export type ProveVerdict = 'proven' | 'not_integrated' | 'invalid';

export interface ProveReport {
  verdict: ProveVerdict;
  detail: string;
  receipt?: { event: string; logIndex: number; requestId?: string; digest?: string; time?: string };
  checkpoint?: CheckpointBody;
  /** The checkpoint's root hash in lowercase hex, as audit verify prints it (the checkpoint body itself carries base64). */
  root?: string;
  entry?: string;
}

export interface ReceiptBody {
  type: string;
  event: string;
  logIndex: number;
  requestId?: string;
  digest?: string;
  requestDigest?: string;
  deliveryId?: string;
  statementId?: string;
  bank?: string;
  time?: string;
  [k: string]: unknown;
}

/** Step 1: the receipt itself. Throws with a readable message. */
export function readReceipt(der: Buffer, trust: GatewayTrust): ReceiptBody {
  const v = verifyCms(der);
  trust.check(v.signer, v.certificates, v.signingTime);
  let body: ReceiptBody;
  try {
    body = JSON.parse(v.content.toString('utf8')) as ReceiptBody;
  } catch {
    throw new Error('the receipt content is not JSON');
  }
  if (body.type !== 'receipt' || typeof body.event !== 'string' || !Number.isSafeInteger(body.logIndex) || body.logIndex < 0) {
    throw new Error('the signed content is not a gateway receipt (type, event, logIndex)');
  }
  return body;
}

/** Which entry digest the receipt's `digest` is, by event family. */
function digestField(event: string): 'request' | 'sanction' | 'statement' | undefined {
  if (event.startsWith('request.')) return 'request';
  if (event.startsWith('sanction.')) return 'sanction';
  if (event.startsWith('statement.')) return 'statement';
  return undefined;
}

/** Step 3: undefined when the entry is the receipt's event; otherwise why not. */
export function entryMismatch(r: ReceiptBody, entryBytes: Buffer): string | undefined {
  let e: Record<string, unknown> & { digests?: Record<string, string> };
  try {
    e = JSON.parse(entryBytes.toString('utf8')) as typeof e;
  } catch {
    return `entry ${r.logIndex} is not JSON`;
  }
  if (e.index !== r.logIndex) return `entry at ${r.logIndex} says index ${String(e.index)}`;
  if (e.event !== r.event) return `entry ${r.logIndex} records ${String(e.event)}, the receipt ${r.event}`;
  for (const k of ['requestId', 'statementId', 'bank'] as const) {
    if (r[k] !== undefined && e[k] !== r[k]) return `entry ${r.logIndex} has ${k} ${String(e[k])}, the receipt ${String(r[k])}`;
  }
  // A delivery is (request, bank): its id is "<requestId>.<BIC>", which the entry records as its two parts.
  if (r.deliveryId !== undefined && r.deliveryId !== `${String(e.requestId)}.${String(e.bank)}`) {
    return `entry ${r.logIndex} is the delivery ${String(e.requestId)}.${String(e.bank)}, the receipt ${r.deliveryId}`;
  }
  const field = digestField(r.event);
  if (r.digest !== undefined) {
    if (!field) return `the receipt of ${r.event} carries a digest this event does not log`;
    if (e.digests?.[field] !== r.digest) return `entry ${r.logIndex} has digests.${field} ${String(e.digests?.[field])}, the receipt digest ${r.digest}`;
  }
  if (r.requestDigest !== undefined && r.requestDigest !== '' && e.digests?.request !== r.requestDigest) {
    return `entry ${r.logIndex} has digests.request ${String(e.digests?.request)}, the receipt requestDigest ${r.requestDigest}`;
  }
  if (r.digest === undefined && r.requestDigest === undefined) return 'the receipt carries no digest to compare';
  return undefined;
}

export interface ProveOptions {
  receipt: Buffer;
  trust: GatewayTrust;
  /** Online: the gateway. */
  remote?: RemoteLogSource;
  /** Offline: an exported directory. */
  dir?: string;
}

export async function proveReceipt(opts: ProveOptions): Promise<ProveReport> {
  let r: ReceiptBody;
  try {
    r = readReceipt(opts.receipt, opts.trust);
  } catch (e) {
    return { verdict: 'invalid', detail: `the receipt does not verify: ${isArt50Error(e) ? `${e.code}: ${e.detail}` : e instanceof Error ? e.message : String(e)}` };
  }
  const receipt = {
    event: r.event, logIndex: r.logIndex,
    ...(r.requestId !== undefined ? { requestId: r.requestId } : {}),
    ...(r.digest !== undefined ? { digest: r.digest } : {}),
    ...(r.time !== undefined ? { time: r.time } : {}),
  };
  const verifier = gatewayCheckpointVerifier(opts.trust);

  let signed: Buffer | undefined;
  let entry: Buffer | null | undefined;
  let path: Buffer[] | undefined;
  let body: CheckpointBody;
  if (opts.dir) {
    const src = new DirLogSource(opts.dir);
    const cps = (await src.checkpoints()).map((c) => ({ c, size: claimedTreeSize(c) ?? -1 })).sort((a, b) => b.size - a.size);
    signed = cps[0]?.c;
    if (!signed) return { verdict: 'not_integrated', detail: 'the directory holds no checkpoint', receipt };
    try {
      body = await verifier(signed);
    } catch (e) {
      return { verdict: 'invalid', detail: `the checkpoint is refused: ${isArt50Error(e) ? e.detail : String(e)}`, receipt };
    }
    if (r.logIndex >= body.treeSize) return notYet(r, body, receipt);
    const all = (await src.all()).slice(0, body.treeSize);
    if (all.length < body.treeSize || all.some((x) => x === null)) return { verdict: 'invalid', detail: `the directory lacks entries below the checkpoint's tree size ${body.treeSize}`, receipt, checkpoint: body };
    entry = all[r.logIndex]!;
    path = await inclusionProof(memoryNodes(all as Buffer[]), r.logIndex, body.treeSize);
  } else if (opts.remote) {
    const latest = await opts.remote.latest();
    if (!latest) return { verdict: 'not_integrated', detail: 'the log has no checkpoint yet: not yet integrated, retry after the next checkpoint', receipt };
    signed = Buffer.from(latest.checkpoint, 'base64');
    try {
      body = await verifier(signed);
    } catch (e) {
      return { verdict: 'invalid', detail: `the checkpoint is refused: ${isArt50Error(e) ? e.detail : String(e)}`, receipt };
    }
    if (r.logIndex >= body.treeSize) return notYet(r, body, receipt);
    const p = await opts.remote.inclusion(r.logIndex, body.treeSize);
    entry = p.entry;
    path = p.path;
  } else {
    throw new Error('prove needs a gateway or an exported directory');
  }
  const mismatch = entryMismatch(r, entry);
  if (mismatch) return { verdict: 'invalid', detail: `the log entry does not match the receipt: ${mismatch}`, receipt, checkpoint: body, entry: entry.toString('utf8') };
  if (!verifyInclusion(r.logIndex, body.treeSize, leafHash(entry), path, rootHashOf(body))) {
    return { verdict: 'invalid', detail: `entry ${r.logIndex} is not included in the signed checkpoint of tree size ${body.treeSize}`, receipt, checkpoint: body, entry: entry.toString('utf8') };
  }
  const root = rootHashOf(body).toString('hex');
  return {
    verdict: 'proven',
    detail: `receipt ${r.event} is entry ${r.logIndex}, included in the gateway-signed checkpoint of tree size ${body.treeSize} (root ${root}, ${body.time})`,
    receipt, checkpoint: body, root, entry: entry.toString('utf8'),
  };
}

function notYet(r: ReceiptBody, body: CheckpointBody, receipt: ProveReport['receipt']): ProveReport {
  return { verdict: 'not_integrated', detail: `entry ${r.logIndex} is not yet integrated (latest checkpoint covers ${body.treeSize} entries): not yet integrated, retry after the next checkpoint`, receipt, checkpoint: body };
}

/** NodeReader over leaves in memory: perfect subtree hashes computed (and kept) level by level. */
function memoryNodes(entries: Buffer[]): { perfectNodes(ids: readonly NodeId[]): Promise<Buffer[]> } {
  const levels: Buffer[][] = [entries.map((e) => leafHash(e))];
  const at = (level: number, index: number): Buffer => {
    while (levels.length <= level) {
      const below = levels[levels.length - 1]!;
      const up: Buffer[] = [];
      for (let i = 0; i + 1 < below.length; i += 2) up.push(nodeHash(below[i]!, below[i + 1]!));
      levels.push(up);
    }
    const h = levels[level]![index];
    if (!h) throw new Error(`node ${level}:${index} is beyond the entries`);
    return h;
  };
  return { perfectNodes: async (ids) => ids.map((id) => at(id.level, id.index)) };
}
