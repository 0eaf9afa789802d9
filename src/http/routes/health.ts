import { Router } from 'express';
import { Art50Error } from '../../errors';
import { clientOf } from '../client-auth';

export interface HealthProbe {
  /** Resolves when Redis answers PING in time; rejects otherwise. */
  redisReady(): Promise<void>;
}

/** /healthz needs no certificate (process liveness for orchestrators). */
export function livenessRoutes(): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return r;
}

/** /readyz is behind client authentication: it also proves the caller's certificate is accepted. */
export function readinessRoutes(probe: HealthProbe): Router {
  const r = Router();
  r.get('/readyz', async (_req, res) => {
    const { participant } = clientOf(res);
    try {
      await probe.redisReady();
    } catch {
      throw new Art50Error('http.not_ready', 'Redis is not reachable; the gateway is not accepting work');
    }
    res.json({ status: 'ready', client: { organisation: participant.organisation.name, roles: participant.roles } });
  });
  return r;
}
