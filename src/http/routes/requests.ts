import { Router } from 'express';
import { Art50Error } from '../../errors';
import type { RequestIntake } from '../../requests/intake';
import type { SanctionService } from '../../requests/sanction';
import type { RequestStatusReader } from '../../requests/status';
import { pendingForProsecutor, decisionsOfOffice } from '../../requests/status';
import type { RequestStore } from '../../requests/store';
import { decodeCursor, requestsOfBody } from '../../requests/list';
import type { Registry } from '../../participants/registry';
import { clientOf, requireOrgKind, requireRole } from '../client-auth';
import { intParam } from '../query-params';
import { uuidParam } from '../path-params';
import { bodyBuffer, signedBody } from '../signed-body';

export interface RequestRoutesDeps {
  intake: RequestIntake;
  sanctions: SanctionService;
  status: RequestStatusReader;
  store: RequestStore;
  registry: Registry;
  documentLimit: number;
}

const requestIdParam = (raw: unknown): string => uuidParam(raw, 'request.not_found');

export function requestRoutes(d: RequestRoutesDeps): Router {
  const r = Router();
  r.post('/v1/requests', requireOrgKind('police'), ...signedBody(d.documentLimit), async (req, res) => {
    const out = await d.intake.submit(bodyBuffer(req), clientOf(res));
    // 202: stored, delivery follows the sanction; 200: the same request again.
    res.status(out.outcome === 'stored' ? 202 : 200).location(`/v1/requests/${out.body.requestId}`).json(out.body);
  });

  // The signature decides who sanctioned; the TLS client may be the prosecutor or a police system relaying.
  r.post('/v1/requests/:requestId/sanction', requireOrgKind('prosecutor_office', 'police'), ...signedBody(d.documentLimit), async (req, res) => {
    const out = await d.sanctions.decide(requestIdParam(req.params.requestId), bodyBuffer(req), clientOf(res).participant);
    res.status(out.outcome === 'decided' ? 201 : 200).json(out.body);
  });

  // The calling body's own requests only: the index is per body, so another body's never appear.
  r.get('/v1/requests', requireOrgKind('police'), async (req, res) => {
    const limit = intParam(req, 'limit', 50, 1, 200);
    res.json(await requestsOfBody({ store: d.store }, clientOf(res).participant, limit, decodeCursor(req.query.cursor)));
  });

  r.get('/v1/requests/:requestId', async (req, res) => {
    const include = req.query.include;
    if (include !== undefined && include !== 'request') throw new Art50Error('http.bad_request', 'query parameter include: the only value is "request"', { field: 'include' });
    res.json(await d.status.status(requestIdParam(req.params.requestId), clientOf(res).participant, { includeRequest: include === 'request' }));
  });

  r.get('/v1/sanctions/pending', requireRole('prosecutor'), async (req, res) => {
    const limit = intParam(req, 'limit', 100, 1, 1000);
    const items = await pendingForProsecutor({ store: d.store, registry: d.registry }, clientOf(res).participant, limit);
    res.json({ items });
  });
  r.get('/v1/sanctions/decided', requireRole('prosecutor'), async (req, res) => {
    const limit = intParam(req, 'limit', 100, 1, 1000);
    res.json({ items: await decisionsOfOffice({ store: d.store }, clientOf(res).participant, limit) });
  });
  return r;
}
