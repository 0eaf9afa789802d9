import { createHash } from 'node:crypto';
import { DeliveryRejected } from '../../src/bank/delivery-check';
import { demoCoreFor } from '../../src/demo/core-banking/for-bank';
import { ReferenceBank } from '../../src/bank/reference-bank';
import type { ApiClient } from '../../src/client/api-client';
import { ClientTrust, loadClientTrust } from '../../src/client/trust';
import type { DeliveryBundle } from '../../src/delivery/bundle';
import { makeRequest, makeSanction } from '../support/documents';
import { identity, sign } from '../support/identities';

let trust: ClientTrust;
let bank: ReferenceBank;
beforeAll(() => {
  trust = loadClientTrust();
  const beta = identity('banks/BETAKZKA');
  bank = new ReferenceBank({ api: {} as ApiClient, identity: beta, registry: trust.registry, trust, core: demoCoreFor(trust.registry, beta.cert), clock: () => new Date() });
});
afterAll(() => trust.close());

function bundle(over: { request?: Record<string, unknown>; sanction?: Record<string, unknown>; digest?: string; requestSigner?: string; sanctionSigner?: string } = {}): DeliveryBundle {
  const request = makeRequest({ banks: ['BETAKZKA'], ...over.request });
  const reqDer = sign(request, over.requestSigner ?? 'police/investigator-1');
  const digest = createHash('sha256').update(Buffer.from(JSON.stringify(request), 'utf8')).digest('hex');
  const sanction = makeSanction(request, over.digest ?? digest, over.sanction ?? {});
  return {
    deliveryId: `${request.requestId as string}.BETAKZKA`, requestId: request.requestId as string,
    request: reqDer.toString('base64'), sanction: sign(sanction, over.sanctionSigner ?? 'prosecutor/prosecutor-1').toString('base64'),
    deadline: new Date(Date.now() + 72 * 3600_000).toISOString(), receipt: '',
  };
}

describe('reference bank checks before it opens its books', () => {
  it('a good bundle verifies; the statement covers exactly the requested scope', () => {
    const v = bank.verify(bundle());
    expect(v.refusal).toBeUndefined();
    const s = bank.buildStatement(v);
    expect(s).toMatchObject({ type: 'statement', requestId: v.request.requestId, requestDigest: v.digest, bank: { bic: 'BETAKZKA', bin: '941140000784' } });
    for (const a of s.accounts ?? []) {
      expect(a.balance?.asOf).toBe(v.request.scope.balances?.asOf);
      for (const m of a.movements ?? []) {
        expect(m.bookedAt.slice(0, 10) >= v.request.scope.movements!.from && m.bookedAt.slice(0, 10) <= v.request.scope.movements!.to).toBe(true);
      }
    }
    // the same delivery always gets the same statementId
    expect(bank.buildStatement(v).statementId).toBe(s.statementId);
  });

  it('a sanction bound to another digest, a refused sanction, a bank not addressed → answer "refused" with the reason', () => {
    const wrong = bank.verify(bundle({ digest: 'b'.repeat(64) }));
    expect(wrong.refusal).toMatch(/bound to request digest/);
    expect(bank.buildStatement(wrong)).toMatchObject({ result: 'refused', reason: wrong.refusal });
    expect(bank.buildStatement(wrong).accounts).toBeUndefined();
    expect(bank.verify(bundle({ sanction: { decision: 'refused', reason: 'no grounds' } })).refusal).toMatch(/refused/);
    expect(bank.verify(bundle({ request: { banks: ['ALFAKZKA'] } })).refusal).toMatch(/not addressed to BETAKZKA/);
  });

  it('tampered or wrongly signed documents are rejected outright', () => {
    const b = bundle();
    const der = Buffer.from(b.request, 'base64');
    const i = der.indexOf(Buffer.from('"requestId"'));
    der[i + 1] = 'R'.charCodeAt(0);
    expect(() => bank.verify({ ...b, request: der.toString('base64') })).toThrow(DeliveryRejected);
    try {
      bank.verify(bundle({ requestSigner: 'banks/ALFAKZKA' }));
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(DeliveryRejected);
    }
    expect(() => bank.verify(bundle({ sanctionSigner: 'police/investigator-1' }))).toThrow(/prosecutor/);
    expect(() => bank.verify(bundle({ requestSigner: 'police/investigator-revoked', request: { signer: { iin: '880605300784', name: 'Yerlan Revokedov', position: 'Investigator' } } }))).toThrow(/cert\.revoked/);
  });
});
