import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEMO_BIN, DEMO_IIN } from '../../src/demo/pki/participants';

const EXAMPLES = resolve(__dirname, '..', '..', 'schemas', 'examples');
type Json = Record<string, unknown>;

function example(name: string): Json {
  return JSON.parse(readFileSync(resolve(EXAMPLES, `${name}.json`), 'utf8')) as Json;
}

/** The example request with a fresh requestId and createdAt, optionally changed. */
export function makeRequest(over: Json = {}): Json {
  return { ...example('request'), requestId: randomUUID(), createdAt: new Date(Date.now() - 60_000).toISOString(), ...over };
}

/** A request of body A signed-by fields for head-1 instead of investigator-1. */
export function headSigner(): Json {
  return { iin: DEMO_IIN.head1, name: 'Saule Zhaksybekova', position: 'Head of department' };
}

export function makeSanction(request: Json, requestDigest: string, over: Json = {}): Json {
  const now = Date.now();
  return {
    ...example('sanction'),
    sanctionId: randomUUID(),
    requestId: request.requestId,
    requestDigest,
    decision: 'granted',
    issuedAt: new Date(now - 60_000).toISOString(),
    validUntil: new Date(now + 24 * 3600_000).toISOString(),
    prosecutor: { iin: DEMO_IIN.prosecutor1, bin: DEMO_BIN.officeA, name: 'Gulnara Sadykova' },
    case: { erdrNumber: (request.case as Json).erdrNumber },
    ...over,
  };
}
