import { createCoreBanking, demoMoneyTrail } from '../../src/delivery/demo-core-banking';
import { csvField, movementsCsv } from '../../src/client/csv';
import { buildNextHopRequests, unfollowedTransfers } from '../../src/client/follow';
import type { RequestDoc, StatementDoc } from '../../src/documents/types';
import { createAjv } from '../../src/documents/ajv';
import { createDocumentValidators } from '../../src/documents/validators';
import { makeRequest } from '../support/documents';

const validators = createDocumentValidators(createAjv());
const trail = demoMoneyTrail();
const BANKS = [{ bic: 'ALFAKZKA', ibanCode: '111', bin: '931040000674' }, { bic: 'BETAKZKA', ibanCode: '222', bin: '941140000784' }, { bic: 'GAMMKZKA', ibanCode: '333', bin: '951240000899' }];

function statementOf(bank: (typeof BANKS)[number], request: RequestDoc): StatementDoc {
  const core = createCoreBanking({ seed: 50, bank, peers: BANKS.filter((b) => b.bic !== bank.bic) });
  core.seedCase(trail);
  const { accounts } = core.lookup(request.subject.iin, request.scope);
  return validators.statement({
    type: 'statement', version: 1, statementId: '6a1f8a52-3c1e-4d7b-9e55-0c2f4b1d7e10', requestId: request.requestId,
    requestDigest: 'a'.repeat(64), bank: { bic: bank.bic, bin: bank.bin }, subject: { iin: request.subject.iin },
    generatedAt: '2025-03-14T12:00:00+05:00', result: accounts.length ? 'found' : 'not_found', ...(accounts.length ? { accounts } : {}),
  });
}

describe('police follow: next-hop requests from a statement', () => {
  const parent = validators.request(makeRequest({ banks: ['ALFAKZKA'] })) as RequestDoc;
  const statement = statementOf(BANKS[0]!, parent);
  const now = new Date('2025-03-15T08:00:00Z');
  let n = 0;
  const hops = buildNextHopRequests(statement, parent, { now, newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` });

  it('one request per individual the subject sent money to: the 7 mules, not the loan company', () => {
    expect(hops.map((h) => h.counterpartyIin).sort()).toEqual([...trail.muleIins].sort());
    expect(hops.every((h) => h.counterpartyIin !== parent.subject.iin)).toBe(true);
  });

  it('each hop: counterparty as subject with its IBAN, its bank, same case/body/signer/scope, parent link, schema-valid', () => {
    for (const h of hops) {
      const party = trail.parties.find((p) => p.iin === h.counterpartyIin)!;
      expect(h.request.subject).toEqual({ iin: party.iin, name: party.name, knownIbans: [party.iban] });
      expect(h.request.banks).toEqual([party.bic]);
      expect(h.request.case).toEqual(parent.case);
      expect(h.request.body).toEqual(parent.body);
      expect(h.request.signer).toEqual(parent.signer);
      expect(h.request.scope).toEqual(parent.scope);
      expect(h.request.parent).toEqual({ requestId: parent.requestId, statementId: statement.statementId });
      expect(h.request.createdAt).toBe(now.toISOString());
      expect(h.request.requestId).not.toBe(parent.requestId);
      expect(() => validators.request(h.request)).not.toThrow();
      const sent = trail.transfers.find((t) => t.from === 'subject' && t.to === party.key)!;
      expect(h.totals).toEqual({ KZT: sent.amount });
    }
    expect(new Set(hops.map((h) => h.request.requestId)).size).toBe(7);
  });

  it('an unknown or unregistered counterparty bank means "all"', () => {
    const only = buildNextHopRequests(statement, parent, { knownBanks: new Set(['ALFAKZKA', 'GAMMKZKA']) });
    const atBeta = only.filter((h) => trail.parties.find((p) => p.iin === h.counterpartyIin)!.bic === 'BETAKZKA');
    expect(atBeta).toHaveLength(4);
    expect(atBeta.every((h) => h.banks === 'all')).toBe(true);
  });

  it('the second hop (a bank-C mule) leads to the collector; a statement for another request is refused', () => {
    const mule = trail.parties.find((p) => p.key === 'mule5')!;
    const hop = hops.find((h) => h.counterpartyIin === mule.iin)!.request;
    const s2 = statementOf(BANKS[2]!, hop);
    const next = buildNextHopRequests(s2, hop);
    expect(next.map((h) => h.counterpartyIin)).toEqual([trail.collectorIin]);
    expect(() => buildNextHopRequests(s2, parent)).toThrow(/answers request/);
  });

  it('every outgoing transfer not followed is listed with the reason (a company, no IIN), none dropped silently', () => {
    const companyTransfer = { id: 'x-company', bookedAt: '2025-02-20T10:00:00+05:00', amount: '-500.00', currency: 'KZT', counterparty: { name: 'Crypto Exchange LLP', bin: '951240000899', iban: 'KZ563330000000000001' }, purpose: 'purchase', channel: 'internet' };
    const anonymous = { id: 'x-anon', bookedAt: '2025-02-21T10:00:00+05:00', amount: '-700.00', currency: 'KZT', counterparty: { name: 'Unknown card holder' }, purpose: 'p2p', channel: 'card' };
    const s = JSON.parse(JSON.stringify(statement)) as StatementDoc;
    s.accounts![0]!.movements!.push(companyTransfer as never, anonymous as never);
    const un = unfollowedTransfers(s, parent);
    expect(un.find((u) => u.counterparty === 'Crypto Exchange LLP')?.reason).toMatch(/legal entity/);
    expect(un.find((u) => u.counterparty === 'Unknown card holder')?.reason).toMatch(/no IIN/);
    const outgoing = s.accounts!.flatMap((a) => a.movements ?? []).filter((m) => m.amount.startsWith('-')).length;
    const followedMovements = buildNextHopRequests(s, parent).reduce((n, h) => n + h.movements, 0);
    expect(followedMovements + un.length).toBe(outgoing);
  });

  it('--min-amount leaves out counterparties sent less in total, and says why', () => {
    const totals = hops.map((h) => BigInt(h.totals.KZT!.replace('.', ''))).sort((a, b) => (a < b ? -1 : 1));
    const threshold = (Number(totals[3]) / 100).toFixed(2); // keeps the 4 largest
    const big = buildNextHopRequests(statement, parent, { minAmount: threshold });
    expect(big).toHaveLength(4);
    const below = unfollowedTransfers(statement, parent, threshold).filter((u) => /min-amount/.test(u.reason));
    expect(below.length).toBeGreaterThanOrEqual(3);
  });

  it('movements CSV: BOM, CRLF, RFC 4180 quoting, formulas defused, amounts stay numbers', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('-9000000.00')).toBe('-9000000.00');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(undefined)).toBe('');
    const csv = movementsCsv(statement).toString('utf8');
    expect(csv.startsWith('\uFEFFiban,bookedAt,amount,')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(1 + statement.accounts!.flatMap((a) => a.movements ?? []).length);
  });
});
