import { Router } from 'express';
import type { StatementReader } from '../../statements/download';
import type { StatementIntake } from '../../statements/intake';
import { clientOf, requireRole } from '../client-auth';
import { uuidParam } from '../path-params';
import { bodyBuffer, PKCS7_MIME, signedBody } from '../signed-body';

export interface StatementRoutesDeps {
  intake: StatementIntake;
  reader: StatementReader;
  /** Largest statement accepted (config.bodyLimitBytes): statements may be tens of MB. */
  bodyLimit: number;
}

export function statementRoutes(d: StatementRoutesDeps): Router {
  const r = Router();
  r.post('/v1/statements', requireRole('bank'), ...signedBody(d.bodyLimit), async (req, res) => {
    const out = await d.intake.submit(bodyBuffer(req), clientOf(res));
    res.status(out.outcome === 'stored' ? 201 : 200).location(`/v1/statements/${out.body.statementId}`).json(out.body);
  });

  // Only the requesting body; banks, prosecutors and other bodies get 404 from the reader.
  r.get('/v1/requests/:requestId/statements', async (req, res) => {
    const items = await d.reader.list(uuidParam(req.params.requestId, 'request.not_found'), clientOf(res));
    res.json({ items });
  });

  r.get('/v1/statements/:statementId', async (req, res) => {
    const out = await d.reader.download(uuidParam(req.params.statementId, 'statement.not_found'), clientOf(res));
    res.status(200).set({
      'Content-Type': PKCS7_MIME, 'X-Art50-Digest': out.digest, 'Cache-Control': 'no-store',
      // Encrypted: the body is the AuthEnvelopedData; the header the client checks it against travels alongside.
      ...(out.header ? { 'X-Art50-Statement-Header': out.header.toString('base64') } : {}),
    }).end(out.cms);
  });
  return r;
}
