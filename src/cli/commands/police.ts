import type { Command } from 'commander';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { signCms } from '../../cms/sign';
import { verifyCms } from '../../cms/verify';
import type { ApiClient, RequestStatusView, SubmitResult } from '../../client/api-client';
import { writeReceipts } from '../../client/receipts';
import { buildNextHopRequests, ClientTrust, movementsCsv, NextHop, UnfollowedTransfer, unfollowedTransfers } from '../../client/documents';
import { connect, CONNECTION_HELP, reportError, table, trustFor, UsageError } from '../../client/cli';
import { identityFlags, IdentityFlags, openIdentity } from '../identity';
import type { SigningIdentity } from '../../cms/types';
import { createAjv } from '../../documents/ajv';
import { createDocumentValidators } from '../../documents/validators';
import type { RequestDoc, StatementDoc } from '../../documents/types';
import { Art50Error } from '../../errors';
import type { SetExit } from '../set-exit';
import { KeyObject } from 'node:crypto';
import { keyFileNeedsPassword, loadKeyFile, parseCertificateFile } from '../../pki/key-file';
import { obtainPassword, PasswordFlags } from '../password';
import { DecryptionIdentity, unsealStatement } from '../../statements/unseal';


interface Conn {
  gateway?: string;
  ca?: string;
  crl?: string[];
  registry?: string;
}

// ---------------------------------------------------------------------------------------------
// submit

export interface SubmitOutcome extends SubmitResult {
  receiptFile: string;
  signedFile: string;
}

/** Signs the request file's exact bytes, posts it, writes <name>.p7s and <name>.receipt.p7s next to it. */
export async function submitRequestFile(api: ApiClient, identity: SigningIdentity, file: string): Promise<SubmitOutcome> {
  const bytes = readFileSync(file);
  let doc: Partial<RequestDoc>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Partial<RequestDoc>;
  } catch {
    throw new UsageError(`${file} is not JSON`);
  }
  if (doc.type !== 'request') throw new UsageError(`${file} is not a request document (type "${String(doc.type)}")`);
  const der = signCms(bytes, identity);
  const name = basename(file, extname(file));
  const signedFile = join(dirname(file), `${name}.p7s`);
  writeFileSync(signedFile, der);
  const out = await api.submitRequest(der);
  const receiptFile = join(dirname(file), `${name}.receipt.p7s`);
  writeFileSync(receiptFile, Buffer.from(out.receipt, 'base64'));
  return { ...out, receiptFile, signedFile };
}

// ---------------------------------------------------------------------------------------------
// status

export function formatStatus(s: RequestStatusView): string {
  const lines = [
    `request:  ${s.requestId}`,
    `digest:   ${s.digest}`,
    `state:    ${s.state}${s.decision ? ` (sanction ${s.decision.decision}${s.decision.reason ? `: ${s.decision.reason}` : ''})` : ''}`,
    `received: ${s.receivedAt}`,
  ];
  let out = lines.join('\n') + '\n';
  if (s.banks.length > 0) {
    out += '\n' + table([
      ['bank', 'state', 'result', 'delivered', 'deadline', 'acknowledged', 'answered'],
      ...s.banks.map((b) => [b.bic, `${b.state}${b.overdue && b.state !== 'overdue' ? ' (was overdue)' : ''}`, b.result ?? '-', b.deliveredAt ?? '-', b.deadline ?? '-', b.acknowledgedAt ?? '-', b.answeredAt ?? '-']),
    ]);
  }
  out += `\nreceipts: ${s.receipts.map((r) => `${r.event}${r.bank ? ` (${r.bank})` : ''} #${r.logIndex}`).join(', ') || '-'}\n`;
  out += s.receipts.length ? `          (art50 police receipts ${s.requestId} --out DIR writes them; art50 audit prove --receipt FILE proves each)\n` : '';
  return out;
}

// ---------------------------------------------------------------------------------------------
// fetch

export interface FetchedStatement {
  statementId: string;
  bank: string;
  result: string;
  current: boolean;
  files: string[];
  accounts: number;
  movements: number;
}

export interface FetchOutcome {
  written: FetchedStatement[];
  refused: Array<{ statementId: string; code: string; detail: string }>;
}

/** The body's encryption key (`--decrypt-p12`, or `--decrypt-cert` + `--decrypt-key`), with the key password as for every key. */
export async function openDecryptionIdentity(o: PasswordFlags & { decryptP12?: string; decryptCert?: string; decryptKey?: string }): Promise<DecryptionIdentity | undefined> {
  const file = o.decryptP12 ?? o.decryptKey;
  if (!file) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new UsageError(`cannot read the decryption key ${file}`);
  }
  const pw = keyFileNeedsPassword(file, bytes) ? await obtainPassword(o, file) : '';
  const loaded = loadKeyFile(bytes, file, () => pw);
  const cert = o.decryptCert ? parseCertificateFile(readFileSync(o.decryptCert), o.decryptCert) : loaded.certificates[0];
  if (!cert) throw new UsageError('the decryption key needs its certificate: --decrypt-cert, or a PKCS#12 file that holds it');
  if (!(loaded.key instanceof KeyObject) || loaded.key.asymmetricKeyType !== 'rsa') throw new UsageError(`${file} is not an RSA key: encryption keys are RSA (RSA-OAEP)`);
  return { cert, key: loaded.key };
}

/**
 * Downloads every statement of a request. Each is verified before anything is written: CMS
 * signature, the bank's certificate path to the trust root with CRLs, the signer is the bank the
 * statement names, the schema, and the binding to this request (requestId and requestDigest equal
 * to the digest the gateway reports). Writes <id>.p7s, <id>.json (the exact signed bytes),
 * <id>.movements.csv and <id>.receipt.p7s. A statement that does not verify is not written.
 *
 * An encrypted statement (the body has an encryption certificate) is first checked against its
 * bank-signed header, decrypted with `decrypt` (the body's key) and then checked the same way;
 * <id>.p7e (the ciphertext as downloaded) and <id>.header.p7s are written beside the others.
 */
export async function fetchStatements(api: ApiClient, trust: ClientTrust, requestId: string, outDir: string, decrypt?: DecryptionIdentity): Promise<FetchOutcome> {
  const status = await api.status(requestId);
  const { items } = await api.listStatements(requestId);
  mkdirSync(outDir, { recursive: true });
  const out: FetchOutcome = { written: [], refused: [] };
  for (const item of items) {
    const downloaded = await api.fetchStatement(item.statementId);
    try {
      let der = downloaded;
      let sealed: { header: Buffer; ciphertext: Buffer } | undefined;
      let sd;
      if (typeof item.header === 'string') {
        if (!decrypt) throw new Art50Error('cms.decrypt_failed', 'the statement is encrypted to the requesting body: give its encryption key (--decrypt-p12)');
        const headerDer = Buffer.from(item.header, 'base64');
        const header = trust.open(headerDer, 'statement-header');
        if (header.doc.statementId !== item.statementId) throw new Art50Error('statement.header_mismatch', `the header names statement ${header.doc.statementId}, not ${item.statementId}`);
        const opened = unsealStatement({ header, ciphertext: downloaded, identity: decrypt, open: (b) => trust.open(b, 'statement') });
        sd = opened.statement;
        der = opened.signed;
        sealed = { header: headerDer, ciphertext: downloaded };
      } else {
        sd = trust.open(der, 'statement');
      }
      const doc = sd.doc;
      const why = (code: string, detail: string): never => {
        throw new Art50Error(code as 'statement.scope', detail);
      };
      if (doc.statementId !== item.statementId) why('statement.not_found', `asked for statement ${item.statementId}, received ${doc.statementId}`);
      if (doc.requestId !== requestId) why('statement.digest_mismatch', `the statement answers request ${doc.requestId}, not ${requestId}`);
      if (doc.requestDigest !== status.digest) why('statement.digest_mismatch', `the statement is bound to request digest ${doc.requestDigest}, the request's digest is ${status.digest}`);
      const org = sd.participant.organisation;
      if (org.kind !== 'bank' || org.bic !== doc.bank.bic || org.bin !== doc.bank.bin) {
        why('participant.wrong_bank', `the statement names bank ${doc.bank.bic}/${doc.bank.bin} but is signed by ${org.name} (BIN ${org.bin})`);
      }
      if (item.digest && item.digest !== sd.digest) why('cms.digest_mismatch', `the gateway listed digest ${item.digest}, the document's is ${sd.digest}`);
      const content = verifyCms(der).content;
      const base = join(outDir, doc.statementId);
      const files = [`${base}.p7s`, `${base}.json`, `${base}.movements.csv`];
      writeFileSync(files[0]!, der);
      writeFileSync(files[1]!, content);
      writeFileSync(files[2]!, movementsCsv(doc));
      if (item.receipt) {
        files.push(`${base}.receipt.p7s`);
        writeFileSync(`${base}.receipt.p7s`, Buffer.from(item.receipt, 'base64'));
      }
      if (sealed) {
        files.push(`${base}.p7e`, `${base}.header.p7s`);
        writeFileSync(`${base}.p7e`, sealed.ciphertext);
        writeFileSync(`${base}.header.p7s`, sealed.header);
      }
      const accounts = doc.accounts ?? [];
      out.written.push({
        statementId: doc.statementId, bank: doc.bank.bic, result: doc.result, current: item.current !== false, files,
        accounts: accounts.length, movements: accounts.reduce((n, a) => n + (a.movements?.length ?? 0), 0),
      });
    } catch (e) {
      if (!(e instanceof Art50Error)) throw e;
      out.refused.push({ statementId: item.statementId, code: e.code, detail: e.detail });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// follow

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
  for (const hop of hops) {
    const file = join(o.outDir, `hop-${hop.counterpartyIin}.request.json`);
    writeFileSync(file, JSON.stringify(hop.request, null, 2) + '\n');
    const entry: NextHop & { file: string; submitted?: SubmitOutcome } = { ...hop, file };
    if (o.submit) entry.submitted = await submitRequestFile(o.submit.api, o.submit.identity, file);
    out.hops.push(entry);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// commander

function connOptions(cmd: Command, withTrust = false): Command {
  cmd.option('--gateway <url>', CONNECTION_HELP.gateway).option('--ca <pem>', CONNECTION_HELP.ca);
  if (withTrust) cmd.option('--crl <file...>', CONNECTION_HELP.crl).option('--registry <json>', CONNECTION_HELP.registry);
  return cmd;
}

export function registerPoliceCommands(program: Command, setExit: SetExit): void {
  const police = program.command('police').description('police system: submit signed requests, read status, download statements, follow the money');

  connOptions(identityFlags(police.command('submit')
    .description('sign a request JSON (its exact bytes) with the SIGN key and submit it; writes <name>.p7s and the gateway receipt <name>.receipt.p7s next to it')
    .requiredOption('--request <json>', 'request document (schemas/request.schema.json)')
    .option('--json', 'print the result as JSON'), 'investigator or first head', { signs: true }))
    .action(async (o: Conn & IdentityFlags & { request: string; json?: boolean }) => {
      let api: ApiClient | undefined;
      try {
        const id = await openIdentity(o);
        api = connect(o, id.tls);
        const r = await submitRequestFile(api, await id.signer(), o.request);
        process.stdout.write(o.json
          ? JSON.stringify({ requestId: r.requestId, digest: r.digest, state: r.state, logIndex: r.logIndex, receiptFile: r.receiptFile, signedFile: r.signedFile }, null, 2) + '\n'
          : `requestId: ${r.requestId}\ndigest:    ${r.digest}\nstate:     ${r.state}\nlog index: ${r.logIndex}\nreceipt:   ${r.receiptFile}\n`);
      } catch (e) {
        setExit(reportError('submit', e));
      } finally {
        api?.close();
      }
    });

  connOptions(identityFlags(police.command('status')
    .description('state of a request per bank, deadlines and receipts')
    .argument('<requestId>')
    .option('--json', 'print the JSON answer'), 'police'))
    .action(async (id: string, o: Conn & IdentityFlags & { json?: boolean }) => {
      let api: ApiClient | undefined;
      try {
        api = connect(o, (await openIdentity(o)).tls);
        const s = await api.status(id);
        process.stdout.write(o.json ? JSON.stringify(s, null, 2) + '\n' : formatStatus(s));
      } catch (e) {
        setExit(reportError('status', e));
      } finally {
        api?.close();
      }
    });

  connOptions(identityFlags(police.command('receipts')
    .description('write every gateway receipt of a request (received, sanction, each delivery, each statement), each named for what it proves')
    .argument('<requestId>')
    .requiredOption('--out <dir>', 'output directory')
    .option('--json', 'print the list as JSON'), 'police'))
    .action(async (id: string, o: Conn & IdentityFlags & { out: string; json?: boolean }) => {
      let api: ApiClient | undefined;
      try {
        api = connect(o, (await openIdentity(o)).tls);
        const written = await writeReceipts(api, id, o.out);
        if (o.json) process.stdout.write(JSON.stringify(written, null, 2) + '\n');
        else process.stdout.write(table([['event', 'bank', 'log index', 'file'], ...written.map((w) => [w.event, w.bank ?? '-', String(w.logIndex), w.file])]));
      } catch (e) {
        setExit(reportError('receipts', e));
      } finally {
        api?.close();
      }
    });

  connOptions(identityFlags(police.command('fetch')
    .description('download every statement of a request, verify each, write <statementId>.p7s, .json, .movements.csv and .receipt.p7s')
    .argument('<requestId>')
    .requiredOption('--out <dir>', 'output directory')
    .option('--decrypt-p12 <file>', 'the body\'s encryption key as PKCS#12 (keys.example/police/encryption-A.p12): opens encrypted statements')
    .option('--decrypt-cert <pem>', 'the body\'s encryption certificate (with --decrypt-key)')
    .option('--decrypt-key <file>', 'its private key (PEM)')
    .option('--json', 'print what was written and refused as JSON'), 'police'), true)
    .action(async (id: string, o: Conn & IdentityFlags & { out: string; decryptP12?: string; decryptCert?: string; decryptKey?: string; json?: boolean }) => {
      let api: ApiClient | undefined;
      let trust: ClientTrust | undefined;
      try {
        api = connect(o, (await openIdentity(o)).tls);
        trust = trustFor(o);
        const r = await fetchStatements(api, trust, id, o.out, await openDecryptionIdentity(o));
        if (o.json) {
          process.stdout.write(JSON.stringify(r, null, 2) + '\n');
          if (r.refused.length > 0) setExit(2);
          return;
        }
        if (r.written.length === 0 && r.refused.length === 0) process.stdout.write(`no statements yet for ${id}\n`);
        if (r.written.length > 0) {
          process.stdout.write(table([
            ['statement', 'bank', 'result', 'accounts', 'movements', 'current'],
            ...r.written.map((w) => [w.statementId, w.bank, w.result, String(w.accounts), String(w.movements), w.current ? 'yes' : 'no']),
          ]));
          process.stdout.write(`written to ${o.out}\n`);
        }
        for (const x of r.refused) process.stderr.write(`NOT WRITTEN ${x.statementId}: does not verify: ${x.code}: ${x.detail}\n`);
        if (r.refused.length > 0) setExit(2);
      } catch (e) {
        setExit(reportError('fetch', e));
      } finally {
        api?.close();
        trust?.close();
      }
    });

  connOptions(identityFlags(police.command('follow')
    .description('follow the money: one next-hop request per individual (IIN) the subject sent money to')
    .requiredOption('--statement <file>', 'statement: <id>.p7s (verified) or the <id>.json written by fetch')
    .option('--hop', 'build the next hop (the default; accepted for readability)')
    .option('--out <dir>', 'where to write hop-<iin>.request.json', '.')
    .option('--request-template <json>', 'the parent request (case, body, signer, scope are copied); default: a request JSON with the statement\'s requestId next to the statement')
    .option('--submit', 'also sign and submit each next-hop request (needs --cert and --key, or --p12)')
    .option('--min-amount <amount>', 'follow only counterparties sent at least this much in total (decimal, e.g. 100000.00)')
    .option('--json', 'print the hops and the transfers not followed as JSON'), 'investigator or first head (with --submit)', { signs: true }), true)
    .action(async (o: Conn & IdentityFlags & { statement: string; out: string; requestTemplate?: string; submit?: boolean; minAmount?: string; json?: boolean }) => {
      let api: ApiClient | undefined;
      let trust: ClientTrust | undefined;
      try {
        if (o.submit && !o.p12 && (!o.cert || !o.key)) throw new UsageError('--submit needs --cert and --key, or --p12');
        if (o.minAmount !== undefined && !/^\d{1,15}(\.\d{1,2})?$/.test(o.minAmount)) throw new UsageError('--min-amount must be a decimal amount like 100000 or 100000.00');
        trust = trustFor(o);
        const statement = readStatementFile(o.statement, trust);
        const parent = findParentRequest(statement, o.statement, o.requestTemplate);
        const knownBanks = new Set(trust.registry.banks().map((b) => b.bic!));
        const id = o.submit ? await openIdentity(o) : undefined;
        const submit = id ? { api: (api = connect(o, id.tls)), identity: await id.signer() } : undefined;
        const r = await followStatement({ statement, parent, outDir: o.out, knownBanks, ...(submit ? { submit } : {}), ...(o.minAmount ? { minAmount: o.minAmount } : {}) });
        if (o.json) {
          process.stdout.write(JSON.stringify({ hops: r.hops.map(({ request: _r, ...h }) => h), unfollowed: r.unfollowed }, null, 2) + '\n');
          return;
        }
        if (r.hops.length === 0) process.stdout.write(`statement ${statement.statementId}: no outgoing transfer to an individual to follow\n`);
        else {
          process.stdout.write(`statement ${statement.statementId} (${statement.bank.bic}) → ${r.hops.length} next-hop request(s):\n`);
          process.stdout.write(table([
            ['counterparty IIN', 'name', 'sent', 'banks', 'file', ...(o.submit ? ['requestId', 'state'] : [])],
            ...r.hops.map((h) => [
              h.counterpartyIin, h.name ?? '-', Object.entries(h.totals).map(([c, v]) => `${v} ${c}`).join(' + '),
              h.banks === 'all' ? 'all' : h.banks.join(','), h.file,
              ...(h.submitted ? [h.submitted.requestId, h.submitted.state] : []),
            ]),
          ]));
        }
        if (r.unfollowed.length > 0) {
          process.stdout.write(`\n${r.unfollowed.length} outgoing transfer(s) not followed:\n`);
          process.stdout.write(table([['to', 'amount', 'booked', 'why not'], ...r.unfollowed.map((u) => [u.counterparty, `${u.amount} ${u.currency}`, u.bookedAt.slice(0, 16), u.reason])]));
        }
      } catch (e) {
        setExit(reportError('follow', e));
      } finally {
        api?.close();
        trust?.close();
      }
    });
}
