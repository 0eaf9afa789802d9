import { createCoreBanking } from '../../src/demo/core-banking/core';
import { demoMoneyTrail } from '../../src/demo/core-banking/trail';
import { csvField, movementsCsv } from '../../src/client/csv';
import { buildNextHopRequests, unfollowedTransfers } from '../../src/client/follow';
import type { RequestDoc, StatementDoc } from '../../src/documents/types';
import { completeCardNumber, makeKzIban } from '../../src/documents/check-digits';
import { createAjv } from '../../src/documents/ajv';
import { createDocumentValidators } from '../../src/documents/validators';
import { makeRequest } from '../support/documents';

const validators = createDocumentValidators(createAjv());
const trail = demoMoneyTrail();
const BANKS = [{ bic: 'ALFAKZKA', ibanCode: '111', bin: '931040000674' }, { bic: 'BETAKZKA', ibanCode: '222', bin: '941140000784' }, { bic: 'GAMMKZKA', ibanCode: '333', bin: '951240000899' }];

function statementOf(bank: (typeof BANKS)[number], request: RequestDoc): StatementDoc {
  const core = createCoreBanking({ seed: 50, bank, peers: BANKS.filter((b) => b.bic !== bank.bic) });
  core.seedCase(trail);
  const { accounts } = core.lookup(request.subject.iin!, request.scope);
  return validators.statement({
    type: 'statement', version: 1, statementId: '6a1f8a52-3c1e-4d7b-9e55-0c2f4b1d7e10', requestId: request.requestId,
    requestDigest: 'a'.repeat(64), bank: { bic: bank.bic, bin: bank.bin }, subject: { iin: request.subject.iin! },
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

  it('a receiver without an IIN is followed by IBAN, else by card number; own accounts, companies and foreign IBANs are not', () => {
    const ownIban = statement.accounts![0]!.iban;
    const ibanOnly = makeKzIban('222', '0000000012345');
    const card = completeCardNumber('440043123456789');
    const out = (id: string, amount: string, counterparty: Record<string, string>) => ({ id, bookedAt: '2025-02-20T10:00:00+05:00', amount, currency: 'KZT', counterparty, channel: 'mobile' });
    const s = JSON.parse(JSON.stringify(statement)) as StatementDoc;
    s.accounts![0]!.movements!.push(
      out('x-iban-1', '-400.00', { name: 'Account Only', iban: ibanOnly, bic: 'BETAKZKA' }) as never,
      out('x-iban-2', '-600.00', { name: 'Account Only', iban: ibanOnly, bic: 'BETAKZKA' }) as never,
      out('x-card', '-900.00', { name: 'Card Only', card }) as never,
      out('x-own', '-100.00', { name: 'Subject Demo-One', iban: ownIban, bic: 'ALFAKZKA' }) as never,
      out('x-foreign', '-50.00', { name: 'Abroad', iban: 'DE89370400440532013000' }) as never,
    );
    const all = buildNextHopRequests(s, parent, { knownBanks: new Set(['ALFAKZKA', 'BETAKZKA', 'GAMMKZKA']) });
    const byIban = all.find((h) => h.counterparty.kind === 'iban')!;
    expect(byIban).toMatchObject({ counterparty: { kind: 'iban', value: ibanOnly }, banks: ['BETAKZKA'], totals: { KZT: '1000.00' }, movements: 2 });
    expect(byIban.counterpartyIin).toBeUndefined();
    expect(byIban.request.subject).toEqual({ iban: ibanOnly, name: 'Account Only' });
    const byCard = all.find((h) => h.counterparty.kind === 'card')!;
    // A card number does not say which bank issued it: every bank is asked.
    expect(byCard).toMatchObject({ counterparty: { kind: 'card', value: card }, banks: 'all', totals: { KZT: '900.00' } });
    expect(byCard.request.subject).toEqual({ card, name: 'Card Only' });
    for (const h of all) expect(() => validators.request(h.request)).not.toThrow();
    // IIN hops first, then IBAN, then card.
    expect(all.map((h) => h.counterparty.kind)).toEqual([...Array(7).fill('iin'), 'iban', 'card']);
    const un = unfollowedTransfers(s, parent);
    expect(un.find((u) => u.amount === '-100.00')?.reason).toMatch(/own account/);
    expect(un.find((u) => u.counterparty === 'Abroad')?.reason).toMatch(/not at a Kazakh bank/);
    expect(un.some((u) => u.counterparty === 'Account Only' || u.counterparty === 'Card Only')).toBe(false);
    // Below --min-amount, the reason names the receiver, a card masked.
    const below = unfollowedTransfers(s, parent, '950.00');
    expect(below.find((u) => u.counterparty === 'Card Only')?.reason).toBe(`total sent to card ${card.slice(0, 6)}******${card.slice(-4)} is below --min-amount 950.00`);
    expect(below.some((u) => u.counterparty === 'Account Only')).toBe(false);
  });

  it('a hop from a statement that answered a request by IBAN: the holder it names is the subject', () => {
    const mule = trail.parties.find((p) => p.key === 'mule5')!;
    const byIban = validators.request(makeRequest({ subject: { iban: mule.iban }, banks: ['GAMMKZKA'] })) as RequestDoc;
    const core = createCoreBanking({ seed: 50, bank: BANKS[2]!, peers: BANKS.slice(0, 2) });
    core.seedCase(trail);
    const found = core.lookup({ kind: 'iban', value: mule.iban }, byIban.scope);
    expect(found.holder).toEqual({ iin: mule.iin, name: mule.name });
    const s = validators.statement({
      type: 'statement', version: 1, statementId: '6a1f8a52-3c1e-4d7b-9e55-0c2f4b1d7e11', requestId: byIban.requestId, requestDigest: 'a'.repeat(64),
      bank: { bic: 'GAMMKZKA', bin: BANKS[2]!.bin }, subject: found.holder, generatedAt: '2025-03-14T12:00:00+05:00', result: 'found', accounts: found.accounts,
    });
    expect(buildNextHopRequests(s, byIban).map((h) => h.counterpartyIin)).toEqual([trail.collectorIin]);
    expect(core.lookup({ kind: 'card', value: trail.muleCards[4]! }, byIban.scope).holder).toEqual({ iin: mule.iin, name: mule.name });
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
