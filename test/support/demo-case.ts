import type { X509Certificate } from 'node:crypto';
import { createCoreBanking } from '../../src/demo/core-banking/core';
import { CoreBanking } from '../../src/demo/core-banking/types';
import { demoMoneyTrail, DemoTrail } from '../../src/demo/core-banking/trail';
import type { RequestScope } from '../../src/documents/types';
import { DEMO_BANKS } from '../../src/demo/pki/participants';
import { bankIdentity, delivered, makeStatement } from '../statements/helpers';
import { makeRequest, makeSanction } from './documents';
import { INV, PROS } from './flow';
import type { TestGateway } from './gateway';
import { joinSealedUpload, sealStatement } from '../../src/statements/sealed';
import { sign, signer } from './identities';

const SCOPE: RequestScope = { accountList: true, balances: { asOf: '2025-03-13' }, movements: { from: '2025-02-01', to: '2025-03-13' } };

/** The demo banks' core systems with the demo case planted (src/delivery/demo-core-banking.ts). */
function cores(trail: DemoTrail): Map<string, CoreBanking> {
  return new Map(DEMO_BANKS.map((b) => {
    const core = createCoreBanking({ seed: 50, bank: bankIdentity(b.bic), peers: DEMO_BANKS.filter((x) => x.bic !== b.bic).map((x) => ({ bic: x.bic, ibanCode: x.ibanCode })) });
    core.seedCase(trail);
    return [b.bic, core];
  }));
}

export interface FiledCase {
  erdrNumber: string;
  trail: DemoTrail;
  requestIds: string[];
  statementIds: string[];
  /** The statements as the banks signed them, in the order of the requests. */
  statements: Array<Record<string, unknown>>;
}

/** A bank posts its signed statement: as is, or encrypted to the body's certificate with a signed header (docs/statements.md). */
export function statementUpload(statement: Record<string, unknown>, bic: string, sealTo?: X509Certificate): Buffer {
  const signed = sign(statement, `banks/${bic}`);
  return sealTo ? joinSealedUpload(sealStatement({ signed, recipient: sealTo, signer: signer(`banks/${bic}`) })) : signed;
}

/**
 * The demo's case (npm run demo) filed through the API of `t`: the victim's accounts at ALFAKZKA,
 * then one follow-up request per mule (seven, at BETAKZKA and GAMMKZKA), each granted by the
 * supervising prosecutor and answered by the bank with its signed statement (encrypted to the body
 * when `sealTo` is its encryption certificate).
 */
export async function fileDemoCase(t: TestGateway, erdrNumber: string, opts: { sealTo?: X509Certificate } = {}): Promise<FiledCase> {
  const trail = demoMoneyTrail();
  const banks = cores(trail);
  const party = (iin: string) => trail.parties.find((p) => p.iin === iin)!;
  const out: FiledCase = { erdrNumber, trail, requestIds: [], statementIds: [], statements: [] };
  const ask = async (iin: string, name: string, bic: string): Promise<void> => {
    const base = makeRequest();
    const doc = makeRequest({ case: { ...(base.case as object), erdrNumber }, subject: { iin, name }, scope: SCOPE, banks: [bic] });
    const res = await t.as(INV).post('/v1/requests', sign(doc, INV));
    if (res.status !== 202) throw new Error(`intake: ${res.status} ${res.text}`);
    const s = await t.as(PROS).post(`/v1/requests/${doc.requestId}/sanction`, sign(makeSanction(doc, res.body.digest), PROS));
    if (s.status !== 201) throw new Error(`sanction: ${s.status} ${s.text}`);
    const item = await delivered(t, bic, doc.requestId);
    await t.as(`banks/${bic}`).post(`/v1/inbox/${item.deliveryId}/ack`);
    const statement = makeStatement(doc, res.body.digest, bic, {}, banks.get(bic)!.lookup(iin, SCOPE).accounts);
    const posted = await t.as(`banks/${bic}`).post('/v1/statements', statementUpload(statement, bic, opts.sealTo));
    if (posted.status !== 201) throw new Error(`statement: ${posted.status} ${posted.text}`);
    out.requestIds.push(String(doc.requestId));
    out.statementIds.push(String(statement.statementId));
    out.statements.push(statement);
  };
  await ask(trail.subjectIin, 'Subject Demo-One', 'ALFAKZKA');
  for (const iin of trail.muleIins) await ask(iin, party(iin).name, party(iin).bic);
  return out;
}
