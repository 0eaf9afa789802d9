import { createAjv } from '../../src/documents/ajv';
import { isValidBin, isValidIban, isValidIin, completeKzId } from '../../src/documents/check-digits';
import { checkStatementAgainstRequest } from '../../src/documents/semantics';
import type { RequestDoc, RequestScope, StatementAccount, StatementDoc } from '../../src/documents/types';
import { createDocumentValidators } from '../../src/documents/validators';
import { createCoreBanking } from '../../src/demo/core-banking/core';
import { CoreBanking } from '../../src/demo/core-banking/types';
import { demoMoneyTrail, planMoneyTrail } from '../../src/demo/core-banking/trail';
import { mulberry32 } from '../../src/demo/core-banking/random';

const A = { bic: 'ALFAKZKA', bin: '931040000674', ibanCode: '111' };
const B = { bic: 'BETAKZKA', bin: '941140000784', ibanCode: '222' };
const C = { bic: 'GAMMKZKA', bin: '951240000899', ibanCode: '333' };
const peersOf = (me: { bic: string }): { bic: string; ibanCode: string }[] => [A, B, C].filter((b) => b.bic !== me.bic);
const bankCore = (bank: typeof A, seed = 7, extra: { movementsPerAccount?: number; coverage?: number } = {}): CoreBanking =>
  createCoreBanking({ seed, bank, peers: peersOf(bank), ...extra });

const FULL: RequestScope = { accountList: true, balances: { asOf: '2025-03-13' }, movements: { from: '2025-02-01', to: '2025-03-13' } };
const subjects = Array.from({ length: 40 }, (_, i) => completeKzId(`9${i % 10}0${(i % 9) + 1}15${3 + (i % 2)}00${String(i).padStart(2, '0')}`));

const v = createDocumentValidators(createAjv());

function requestFor(iin: string, scope: RequestScope): RequestDoc {
  return {
    type: 'request', version: 1, requestId: '3f1c2a9e-7b4d-4e2a-9c1f-5a6b7c8d9e01', createdAt: '2025-03-14T10:15:00+05:00',
    case: { erdrNumber: '251750031000123', article: '190-2-4' }, body: { bin: '990440000127', name: 'Police Department of Almaty (demo)' },
    signer: { iin: '850315300128', name: 'Aibek Nurlanov', position: 'Senior investigator' }, subject: { iin }, scope, banks: 'all',
  };
}

function statementFor(bank: typeof A, iin: string, accounts: StatementAccount[]): StatementDoc {
  return {
    type: 'statement', version: 1, statementId: 'c4d5e6f7-0a1b-4c2d-9e3f-4a5b6c7d8e9f', requestId: '3f1c2a9e-7b4d-4e2a-9c1f-5a6b7c8d9e01',
    requestDigest: 'ab'.repeat(32), bank: { bic: bank.bic, bin: bank.bin }, subject: { iin }, generatedAt: '2025-03-14T13:40:12+05:00',
    result: accounts.length > 0 ? 'found' : 'not_found', ...(accounts.length > 0 ? { accounts } : {}),
  };
}

describe('mulberry32', () => {
  it('is deterministic and in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });
});

describe('random subjects', () => {
  it('same seed gives the same output, whatever the call order', () => {
    const one = bankCore(A);
    const two = bankCore(A);
    const forward = subjects.map((s) => one.lookup(s, FULL));
    const backward = [...subjects].reverse().map((s) => two.lookup(s, FULL)).reverse();
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
    expect(JSON.stringify(bankCore(A, 8).lookup(subjects[0]!, FULL))).not.toBe(JSON.stringify(forward[0]));
  });

  it('some subjects have no accounts, others have accounts with valid IBANs of this bank', () => {
    const results = subjects.map((s) => bankCore(A).lookup(s, FULL));
    expect(results.some((r) => r.accounts.length === 0)).toBe(true);
    expect(results.some((r) => r.accounts.length > 0)).toBe(true);
    for (const r of results) {
      for (const a of r.accounts) {
        expect(isValidIban(a.iban)).toBe(true);
        expect(a.iban.slice(4, 7)).toBe('111');
      }
    }
  });

  it('answers validate as statements and respect the requested period and scope', () => {
    for (const bank of [A, B, C]) {
      const core = bankCore(bank);
      for (const s of subjects.slice(0, 15)) {
        for (const scope of [FULL, { accountList: true }, { accountList: false, balances: { asOf: '2025-01-01' } }] as RequestScope[]) {
          const st = v.statement(statementFor(bank, s, core.lookup(s, scope).accounts));
          expect(() => checkStatementAgainstRequest(st, requestFor(s, scope))).not.toThrow();
        }
      }
    }
  });

  it('counterparties sit at OTHER banks, with valid IBANs, BICs and IINs/BINs', () => {
    const core = bankCore(A);
    let seen = 0;
    for (const s of subjects) {
      for (const a of core.lookup(s, FULL).accounts) {
        for (const m of a.movements ?? []) {
          expect(typeof m.amount).toBe('string');
          const cp = m.counterparty;
          if (!cp?.iban) continue;
          seen++;
          expect(isValidIban(cp.iban)).toBe(true);
          expect(['BETAKZKA', 'GAMMKZKA']).toContain(cp.bic);
          if (cp.iin) expect(isValidIin(cp.iin)).toBe(true);
          if (cp.bin) expect(isValidBin(cp.bin)).toBe(true);
        }
      }
    }
    expect(seen).toBeGreaterThan(50);
  });

  // Speed lives in `npm run bench` (statement bench), not in a timed test.
  it('generates 100,000 movements for one account, sorted and inside the period', () => {
    const core = bankCore(A, 7, { movementsPerAccount: 100_000, coverage: 1 });
    const { accounts } = core.lookup(subjects[0]!, { accountList: true, movements: { from: '2024-01-01', to: '2024-12-31' } });
    const open = accounts.find((a) => a.closedOn === null)!;
    expect(open.movements).toHaveLength(100_000);
    const ms2 = open.movements!;
    expect(ms2[0]!.bookedAt.slice(0, 10) >= '2024-01-01').toBe(true);
    expect(ms2[ms2.length - 1]!.bookedAt.slice(0, 10) <= '2024-12-31').toBe(true);
    for (let i = 1; i < ms2.length; i += 997) expect(Date.parse(ms2[i]!.bookedAt)).toBeGreaterThanOrEqual(Date.parse(ms2[i - 1]!.bookedAt));
    expect(new Set(ms2.map((m) => m.id)).size).toBe(100_000);
  });
});

describe('planted money trail', () => {
  const trail = demoMoneyTrail();
  const cores = { A: bankCore(A), B: bankCore(B), C: bankCore(C) };
  for (const core of Object.values(cores)) core.seedCase(trail);
  const scope: RequestScope = { accountList: true, balances: { asOf: '2025-02-28' }, movements: { from: '2025-02-01', to: '2025-02-28' } };

  it('is deterministic and uses valid identifiers', () => {
    expect(JSON.stringify(demoMoneyTrail())).toBe(JSON.stringify(trail));
    expect(trail.muleIins).toHaveLength(7);
    expect(new Set([trail.subjectIin, ...trail.muleIins, trail.collectorIin]).size).toBe(9);
    for (const iin of [...trail.muleIins, trail.collectorIin]) expect(isValidIin(iin)).toBe(true);
    for (const p of trail.parties) expect(isValidIban(p.iban)).toBe(true);
  });

  it('subject X at bank A sends 16.5M KZT to 7 mules at banks B and C', () => {
    const [account] = cores.A.lookup(trail.subjectIin, scope).accounts;
    const out = account!.movements!.filter((m) => m.amount.startsWith('-'));
    expect(out).toHaveLength(7);
    expect(out.reduce((s, m) => s + Number(m.amount), 0)).toBe(-16_500_000);
    expect(new Set(out.map((m) => m.counterparty?.bic))).toEqual(new Set(['BETAKZKA', 'GAMMKZKA']));
    expect(out.map((m) => m.counterparty?.iin)).toEqual(trail.muleIins);
    expect(account!.balance!.amount).toBe('500.00');
    expect(cores.B.lookup(trail.subjectIin, scope).accounts).toEqual([]);
  });

  it('a second-hop request on a mule IIN finds its movements at its bank only', () => {
    const mule = trail.muleIins[0]!;
    const [account] = cores.B.lookup(mule, scope).accounts;
    expect(account!.movements!.map((m) => m.amount)).toEqual(['3000000.00', '-2955000.00']);
    expect(account!.movements![1]!.counterparty?.bic).toBe('GAMMKZKA');
    expect(account!.balance!.amount).toBe('45000.00');
    expect(cores.A.lookup(mule, scope).accounts).toEqual([]);
    expect(cores.C.lookup(mule, scope).accounts).toEqual([]);
    const third = cores.B.lookup(trail.collectorIin, scope).accounts[0]!;
    expect(third.movements!.filter((m) => !m.amount.startsWith('-'))).toHaveLength(3);
  });

  it('planted answers validate and respect the period', () => {
    for (const [bank, core] of [[A, cores.A], [B, cores.B], [C, cores.C]] as const) {
      for (const iin of [trail.subjectIin, ...trail.muleIins, trail.collectorIin]) {
        const narrow: RequestScope = { accountList: true, movements: { from: '2025-02-04', to: '2025-02-10' } };
        for (const sc of [scope, narrow]) {
          const st = v.statement(statementFor(bank, iin, core.lookup(iin, sc).accounts));
          expect(() => checkStatementAgainstRequest(st, requestFor(iin, sc))).not.toThrow();
        }
      }
    }
  });

  it('planMoneyTrail refuses unknown parties and non-positive amounts', () => {
    const parties = [
      { key: 'x', name: 'X', iin: trail.subjectIin, bic: 'ALFAKZKA', ibanCode: '111' },
      { key: 'y', name: 'Y', iin: trail.collectorIin, bic: 'BETAKZKA', ibanCode: '222' },
    ];
    expect(() => planMoneyTrail({ seed: 1, parties, transfers: [{ from: 'x', to: 'z', amount: '1.00', bookedAt: '2025-02-03T10:00:00+05:00' }] })).toThrow();
    expect(() => planMoneyTrail({ seed: 1, parties, transfers: [{ from: 'x', to: 'y', amount: '0.00', bookedAt: '2025-02-03T10:00:00+05:00' }] })).toThrow();
    expect(planMoneyTrail({ seed: 1, parties, transfers: [] }).parties.every((p) => isValidIban(p.iban))).toBe(true);
  });
});
