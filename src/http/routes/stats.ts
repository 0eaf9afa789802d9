import { Router } from 'express';
import type { Registry } from '../../participants/registry';
import type { StatsService } from '../../stats/service';
import { statsFor } from '../../stats/visibility';
import { clientOf, requireRole } from '../client-auth';

export function statsRoutes(stats: StatsService, registry: Registry): Router {
  const r = Router();
  r.get('/v1/stats', requireRole('auditor', 'prosecutor'), async (_req, res) => {
    res.json(await statsFor(clientOf(res).participant, stats, registry));
  });
  return r;
}
