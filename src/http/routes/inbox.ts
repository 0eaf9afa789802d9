import { Router } from 'express';
import { Art50Error } from '../../errors';
import type { Inbox } from '../../delivery/inbox';
import { clientOf, requireRole } from '../client-auth';
import { intParam } from '../query-params';

function bankBic(bic: string | undefined): string {
  if (!bic) throw new Art50Error('auth.forbidden', 'the client certificate is not a bank system certificate');
  return bic;
}

export function inboxRoutes(inbox: Inbox): Router {
  const r = Router();
  r.get('/v1/inbox', requireRole('bank'), async (req, res) => {
    const limit = intParam(req, 'limit', 50, 1, 500);
    const items = await inbox.list(bankBic(clientOf(res).participant.organisation.bic), limit);
    res.json({ items });
  });
  r.post('/v1/inbox/:deliveryId/ack', requireRole('bank'), async (req, res) => {
    const id = String(req.params.deliveryId ?? '');
    if (!/^[0-9a-f-]{36}\.[A-Z0-9]{8,11}$/i.test(id)) throw new Art50Error('delivery.not_found', 'no such delivery for this bank');
    res.json(await inbox.ack(bankBic(clientOf(res).participant.organisation.bic), id));
  });
  return r;
}
