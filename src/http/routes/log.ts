import { Router } from 'express';
import { Art50Error } from '../../errors';
import type { LogReader } from '../../log/reader';
import { leafHash } from '../../log/merkle/hash';
import { parseCheckpointBody } from '../../log/checkpoint';
import { parseSignedData } from '../../cms/verify';
import type { Registry } from '../../participants/registry';
import type { Participant } from '../../participants/types';
import { canSeeRequest } from '../../requests/access';
import type { RequestStore } from '../../requests/store';
import { clientOf, requireRole } from '../client-auth';
import { intParam } from '../query-params';

const MAX = Number.MAX_SAFE_INTEGER;

function checkpointView(signed: Buffer): Record<string, unknown> {
  // The gateway's own stored checkpoint: auditors verify the signature; here only the body is read.
  const body = parseCheckpointBody(parseSignedData(signed).content ?? Buffer.alloc(0));
  return { ...body, checkpoint: signed.toString('base64') };
}

/**
 * The transparency log for auditors. A party may also fetch the inclusion proof of an entry
 * about a request it can see (its own receipts); anything else is 404 to it.
 */
export function logRoutes(d: { reader: LogReader; requests: RequestStore; registry: Registry }): Router {
  const r = Router();
  const auditor = requireRole('auditor');

  r.get('/v1/log/checkpoint', async (req, res) => {
    const { participant } = clientOf(res);
    const at = req.query.treeSize === undefined ? undefined : intParam(req, 'treeSize', 0, 0, MAX);
    if (at !== undefined && !participant.roles.includes('auditor')) throw new Art50Error('auth.forbidden', 'checkpoints at a given size are for auditors');
    const signed = at === undefined ? await d.reader.checkpoint() : await d.reader.checkpointAt(at);
    if (!signed) throw new Art50Error('log.not_found', at === undefined ? 'no checkpoint has been signed yet' : `no checkpoint was signed at tree size ${at}`);
    res.json(checkpointView(signed));
  });

  r.get('/v1/log/checkpoints', auditor, async (req, res) => {
    const after = intParam(req, 'after', -1, -1, MAX);
    const limit = intParam(req, 'limit', 1000, 1, 10_000);
    const sizes = await d.reader.checkpointSizesAfter(after, limit);
    const items = (await d.reader.checkpointsAt(sizes)).map((c) => c.toString('base64'));
    res.json({ items, next: sizes.length === limit ? sizes[sizes.length - 1] : null });
  });

  r.get('/v1/log/entries', auditor, async (req, res) => {
    const start = intParam(req, 'start', 0, 0, MAX);
    const end = intParam(req, 'end', start + 1000, 1, MAX);
    const entries = await d.reader.entries(start, end);
    // Entries are returned as the exact stored strings; auditors hash their UTF-8 bytes.
    res.json({ start, end: start + entries.length, entries: entries.map((e) => e.toString('utf8')) });
  });

  r.get('/v1/log/proofs/inclusion', async (req, res) => {
    const index = intParam(req, 'index', -1, 0, MAX);
    const treeSize = intParam(req, 'treeSize', -1, 1, MAX);
    if (index < 0 || treeSize < 0) throw new Art50Error('log.bad_range', 'index and treeSize are required', { field: index < 0 ? 'index' : 'treeSize' });
    if (index >= treeSize) throw new Art50Error('log.bad_range', `index ${index} is not below treeSize ${treeSize}`, { field: 'index' });
    const [entry] = await d.reader.entries(index, index + 1);
    if (!entry) throw new Art50Error('log.not_found', `no entry ${index}`);
    const { participant } = clientOf(res);
    if (!participant.roles.includes('auditor') && !(await concerns(entry, participant, d))) {
      throw new Art50Error('log.not_found', `no entry ${index} visible to this client`);
    }
    const proof = await d.reader.inclusionProof(index, treeSize);
    res.json({ index, treeSize, entry: entry.toString('utf8'), leafHash: leafHash(entry).toString('base64'), path: proof.path.map((h) => h.toString('base64')) });
  });

  r.get('/v1/log/proofs/consistency', auditor, async (req, res) => {
    const first = intParam(req, 'first', -1, 0, MAX);
    const second = intParam(req, 'second', -1, 0, MAX);
    if (first < 0 || second < 0 || first > second) throw new Art50Error('log.bad_range', 'first and second are required, first ≤ second', { field: 'first' });
    const proof = await d.reader.consistencyProof(first, second);
    res.json({ first, second, path: proof.path.map((h) => h.toString('base64')) });
  });
  return r;
}

async function concerns(entry: Buffer, p: Participant, d: { requests: RequestStore; registry: Registry }): Promise<boolean> {
  const e = JSON.parse(entry.toString('utf8')) as { requestId?: string; bank?: string };
  if (!e.requestId) return false;
  if (p.organisation.kind === 'bank') return e.bank !== undefined && e.bank === p.organisation.bic;
  const request = await d.requests.get(e.requestId);
  return request !== undefined && canSeeRequest(p, request, d.registry);
}
