import { Art50Error } from '../errors';
import { parseSignedData } from '../cms/verify';
import type { Participant } from '../participants/types';
import type { Registry } from '../participants/registry';
import type { RequestStore } from '../requests/store';
import type { StoredRequest } from '../requests/types';
import type { StatementStore, StoredStatement } from '../statements/store';
import { Trail, TrailBuilder, TrailStatement } from './build';
import { forSupervisor } from './supervision';
import type { CaseIndex } from './case-index';

/** A statement the gateway could not put into the trail, and why. */
export interface TrailGap {
  statementId: string;
  requestId: string;
  bank: string;
}

export interface CaseTrail extends Trail {
  erdrNumber: string;
  /** The case's requests the caller may see, oldest first. */
  requests: Array<{ requestId: string; receivedAt: string; state: string }>;
  /** Statements encrypted to the requesting body: the gateway cannot read them; the body decrypts and adds them with the same builder (src/trail/build.ts). */
  encrypted: TrailGap[];
  /** Statements whose payload was deleted after retention. */
  expired: TrailGap[];
}

export const ERDR_NUMBER = /^[0-9]{15}$/;

/**
 * Who may follow a case's money: the requesting body's investigators and heads, and the
 * prosecutor's offices supervising it. Everyone else — other bodies, banks, auditors — is told
 * the case does not exist.
 */
export function canSeeTrail(p: Participant, request: Pick<StoredRequest, 'bodyBin'>, registry: Registry): boolean {
  if (p.organisation.kind === 'police') {
    return p.organisation.bin === request.bodyBin && p.roles.some((r) => r === 'investigator' || r === 'first_head' || r === 'head');
  }
  return p.organisation.kind === 'prosecutor_office' && p.roles.includes('prosecutor') && registry.supervises(p.organisation.bin, request.bodyBin);
}

/** GET /v1/cases/{erdrNumber}/trail: the graph from the bank-signed statements the gateway can read. */
export class TrailService {
  constructor(
    private readonly d: {
      cases: CaseIndex;
      requests: RequestStore;
      statements: StatementStore;
      registry: Registry;
    },
  ) {}

  async trail(erdrNumber: string, viewer: Participant): Promise<CaseTrail> {
    if (!ERDR_NUMBER.test(erdrNumber)) throw new Art50Error('case.bad_erdr', 'the ERDR number is 15 digits', { field: 'erdrNumber' });
    const registry = this.d.registry;
    const visible: StoredRequest[] = [];
    for (const id of await this.d.cases.requests(erdrNumber)) {
      const r = await this.d.requests.get(id);
      if (r && r.erdrNumber === erdrNumber && canSeeTrail(viewer, r, registry)) visible.push(r);
    }
    if (visible.length === 0) throw new Art50Error('case.not_found', `no case ${erdrNumber} visible to this client`);
    visible.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.requestId.localeCompare(b.requestId));
    const builder = new TrailBuilder();
    const encrypted: TrailGap[] = [];
    const expired: TrailGap[] = [];
    for (const [i, r] of visible.entries()) {
      const holder = await this.subjectOf(r.requestId);
      for (const s of current(await this.d.statements.list(r.requestId))) {
        const gap = { statementId: s.statementId, requestId: s.requestId, bank: s.bic };
        if (s.header) encrypted.push(gap);
        else if (s.cmsDeletedAt !== undefined) expired.push(gap);
        else {
          const doc = await this.readStatement(s.statementId);
          if (doc) builder.add(doc, { root: i === 0, ...(holder ? { holder } : {}) });
          else expired.push(gap);
        }
      }
    }
    // The statements' contents only for the requesting body (canSeeTrail admits police of that body only);
    // a supervising prosecutor, for whom statements are not (src/requests/access.ts), gets the graph
    // without personal data: masked accounts, banks, amounts, times and hops.
    const graph = viewer.organisation.kind === 'police' ? builder.build() : forSupervisor(builder.build());
    return {
      erdrNumber,
      requests: visible.map((r) => ({ requestId: r.requestId, receivedAt: r.receivedAt, state: r.state })),
      ...graph,
      encrypted,
      expired,
    };
  }

  /**
   * The request's subject (IIN and name as the investigator signed them), read from the stored
   * request. A request by IBAN or card does not know the holder: the statement names it.
   */
  private async subjectOf(requestId: string): Promise<{ iin: string; name?: string } | undefined> {
    const { request } = await this.d.requests.getCms(requestId);
    if (!request) return undefined;
    const doc = JSON.parse((parseSignedData(request).content ?? Buffer.alloc(0)).toString('utf8')) as { subject?: { iin?: string; name?: string } };
    return doc.subject?.iin !== undefined ? { iin: doc.subject.iin, ...(doc.subject.name ? { name: doc.subject.name } : {}) } : undefined;
  }

  /** The statement as the bank signed it (verified at intake; here only its content is read). */
  private async readStatement(statementId: string): Promise<TrailStatement | undefined> {
    const cms = await this.d.statements.getCms(statementId);
    if (!cms || cms.length === 0) return undefined;
    return JSON.parse((parseSignedData(cms).content ?? Buffer.alloc(0)).toString('utf8')) as TrailStatement;
  }
}

/** A corrected statement is replaced by its correction. */
function current(list: StoredStatement[]): StoredStatement[] {
  const replaced = new Set(list.map((s) => s.corrects).filter((c): c is string => c !== undefined));
  return list.filter((s) => !replaced.has(s.statementId));
}
