import { Art50Error } from '../errors';
import { parseSignedData } from '../cms/verify';
import type { ClientIdentity, Participant } from '../participants/types';
import type { Registry } from '../participants/registry';
import type { RequestStore } from '../requests/store';
import type { StoredRequest } from '../requests/types';
import type { StatementReader } from '../statements/download';
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
      /** The body's reads of statements go through it, so each is logged (statement.downloaded). */
      reader: StatementReader;
      registry: Registry;
      /** Most bytes of plain statements one trail reads and parses (on the main thread); more is case.trail_too_large. */
      maxBytes: number;
    },
  ) {}

  async trail(erdrNumber: string, client: ClientIdentity): Promise<CaseTrail> {
    const viewer = client.participant;
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
    const plain: Array<{ s: StoredStatement; root: boolean; requestId: string }> = [];
    for (const [i, r] of visible.entries()) {
      for (const s of current(await this.d.statements.list(r.requestId))) {
        const gap = { statementId: s.statementId, requestId: s.requestId, bank: s.bic };
        if (s.header) encrypted.push(gap);
        else if (s.cmsDeletedAt !== undefined) expired.push(gap);
        else plain.push({ s, root: i === 0, requestId: r.requestId });
      }
    }
    // Checked before anything is read, so a refused trail neither costs the parse nor logs downloads.
    const bytes = plain.reduce((sum, { s }) => sum + s.size, 0);
    if (bytes > this.d.maxBytes) {
      throw new Art50Error('case.trail_too_large', `the case's ${plain.length} readable statements are ${bytes} bytes, more than the ${this.d.maxBytes} one trail reads; fetch them with \`art50 police fetch\` and follow the money with \`art50 police follow\``);
    }
    const holders = new Map<string, { iin: string; name?: string } | undefined>();
    for (const { s, root, requestId } of plain) {
      if (!holders.has(requestId)) holders.set(requestId, await this.subjectOf(requestId));
      const holder = holders.get(requestId);
      const doc = await this.readStatement(s, client);
      if (doc) builder.add(doc, { root, ...(holder ? { holder } : {}) });
      else expired.push({ statementId: s.statementId, requestId: s.requestId, bank: s.bic });
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

  /**
   * The statement as the bank signed it (verified at intake; here only its content is read). The
   * requesting body reads its contents through the trail, so that is a download like any other:
   * logged as statement.downloaded naming the reader, and starting the retention clock
   * (src/statements/download.ts). The supervising prosecutor gets no contents (src/trail/supervision.ts),
   * so the gateway reads the payload for the graph's shape without a download in the body's name.
   */
  private async readStatement(s: StoredStatement, client: ClientIdentity): Promise<TrailStatement | undefined> {
    let cms: Buffer | null;
    if (client.participant.organisation.kind === 'police') {
      try {
        cms = (await this.d.reader.download(s.statementId, client)).cms;
      } catch (e) {
        // Deleted after retention between the listing and the read.
        if (e instanceof Art50Error && e.code === 'statement.expired') return undefined;
        throw e;
      }
    } else {
      cms = await this.d.statements.getCms(s.statementId);
    }
    if (!cms || cms.length === 0) return undefined;
    return JSON.parse((parseSignedData(cms).content ?? Buffer.alloc(0)).toString('utf8')) as TrailStatement;
  }
}

/** A corrected statement is replaced by its correction. */
function current(list: StoredStatement[]): StoredStatement[] {
  const replaced = new Set(list.map((s) => s.corrects).filter((c): c is string => c !== undefined));
  return list.filter((s) => !replaced.has(s.statementId));
}
