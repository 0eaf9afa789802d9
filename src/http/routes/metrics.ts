import { Router } from 'express';
import type { Metrics } from '../../metrics/metrics';
import { requireRole } from '../client-auth';

/**
 * GET /metrics — Prometheus text format. Behind client authentication: a scraper presents a
 * certificate registered with role `gateway` (the operator's own systems) or `auditor`. The
 * output carries no personal data, but queue depths and per-bank overdue counts are operational
 * information not meant for the public or for other participants.
 */
export function metricsRoutes(metrics: Pick<Metrics, 'render' | 'contentType'>): Router {
  const r = Router();
  r.get('/metrics', requireRole('auditor', 'gateway'), async (_req, res) => {
    const body = await metrics.render();
    res.status(200).type(metrics.contentType).send(body);
  });
  return r;
}
