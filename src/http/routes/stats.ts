import { Router } from 'express';
import type { StatsService } from '../../stats/service';
import { requireRole } from '../client-auth';

export function statsRoutes(stats: StatsService): Router {
  const r = Router();
  r.get('/v1/stats', requireRole('auditor', 'prosecutor'), async (_req, res) => {
    res.json(await stats.stats());
  });
  return r;
}
