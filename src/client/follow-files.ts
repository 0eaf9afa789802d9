import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SigningIdentity } from '../cms/types';
import { createAjv } from '../documents/ajv';
import { maskCardNumber } from '../documents/check-digits';
import type { RequestDoc, StatementDoc } from '../documents/types';
import { createDocumentValidators } from '../documents/validators';
import type { ApiClient } from './api-client';
import { UsageError } from './cli';
import { buildNextHopRequests, NextHop, unfollowedTransfers, UnfollowedTransfer } from './follow';
import { submitRequestFile, SubmitOutcome } from './submit';
import type { ClientTrust } from './trust';

/** `police follow` on disk: reads the statement and its parent request, writes (and submits) the next hops. */

/** Reads a statement from .p7s (verified, like fetch) or from the .json fetch wrote (schema-checked). */
export function readStatementFile(file: string, trust: ClientTrust | undefined): StatementDoc {
  const bytes = readFileSync(file);
  if (/\.(p7s|p7m|der|cms)$/i.test(file)) {
    if (!trust) throw new UsageError('a .p7s statement needs the trust root to verify it');
    return trust.open(bytes, 'statement').doc;
  }
  const validators = createDocumentValidators(createAjv());
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    throw new UsageError(`${file} is not JSON`);
  }
  return validators.statement(json);
}

/** The parent request: --request-template, else a request JSON with the statement's requestId next to the statement or in the current directory. */
export function findParentRequest(statement: StatementDoc, statementFile: string, template?: string): RequestDoc {
  const validators = createDocumentValidators(createAjv());
  const parse = (f: string): RequestDoc | undefined => {
    try {
      const json = JSON.parse(readFileSync(f, 'utf8').replace(/^\uFEFF/, '')) as { type?: string };
      return json.type === 'request' ? validators.request(json) : undefined;
    } catch {
      return undefined;
    }
  };
  if (template) {
    const doc = parse(template);
    if (!doc) throw new UsageError(`${template} is not a valid request document`);
    return doc;
  }
  // The documented layout: the request JSON in the case directory, `fetch --out ./statements` below it.
  const statementDir = dirname(resolve(statementFile));
  for (const dir of [...new Set([statementDir, dirname(statementDir), process.cwd()])]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const doc = parse(join(dir, f));
      if (doc?.requestId === statement.requestId) return doc;
    }
  }
  throw new UsageError(`no request ${statement.requestId} found next to the statement, in the directory above it or in the current directory; pass --request-template <the parent request JSON>`);
}

/**
 * hop-<IIN>, hop-<IBAN>, or hop-card-<first 6>xxxxxx<last 4> (a card number is not written out in
 * a file name; the request inside holds it), with -2, -3 … when two masked cards look alike.
 */
export function hopFileBase(hop: NextHop, used: Set<string>): string {
  const id = hop.counterparty;
  const base = id.kind === 'card' ? `hop-card-${maskCardNumber(id.value, 'x')}` : `hop-${id.value}`;
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
  used.add(name);
  return name;
}

export interface FollowOutcome {
  hops: Array<NextHop & { file: string; submitted?: SubmitOutcome }>;
  /** Outgoing transfers no next hop follows, with the reason. */
  unfollowed: UnfollowedTransfer[];
}

export async function followStatement(o: {
  statement: StatementDoc;
  parent: RequestDoc;
  outDir: string;
  knownBanks?: ReadonlySet<string>;
  submit?: { api: ApiClient; identity: SigningIdentity };
  now?: Date;
  /** Smallest total (decimal, the statement's currency) worth a next hop. */
  minAmount?: string;
}): Promise<FollowOutcome> {
  const min = o.minAmount !== undefined ? { minAmount: o.minAmount } : {};
  const hops = buildNextHopRequests(o.statement, o.parent, { ...(o.now ? { now: o.now } : {}), ...(o.knownBanks ? { knownBanks: o.knownBanks } : {}), ...min });
  mkdirSync(o.outDir, { recursive: true });
  const out: FollowOutcome = { hops: [], unfollowed: unfollowedTransfers(o.statement, o.parent, o.minAmount) };
  const used = new Set<string>();
  for (const hop of hops) {
    const file = join(o.outDir, `${hopFileBase(hop, used)}.request.json`);
    writeFileSync(file, JSON.stringify(hop.request, null, 2) + '\n');
    const entry: NextHop & { file: string; submitted?: SubmitOutcome } = { ...hop, file };
    if (o.submit) entry.submitted = await submitRequestFile(o.submit.api, o.submit.identity, file);
    out.hops.push(entry);
  }
  return out;
}
