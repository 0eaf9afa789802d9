import { Router } from 'express';
import type { TrailService } from '../../trail/service';
import { clientOf } from '../client-auth';

/** The money trail of a case (docs/console.md, "Oversight"): who may see it is decided by the service. */
export function caseRoutes(trails: TrailService): Router {
  const r = Router();
  r.get('/v1/cases/:erdrNumber/trail', async (req, res) => {
    res.json(await trails.trail(String(req.params.erdrNumber), clientOf(res)));
  });
  return r;
}
