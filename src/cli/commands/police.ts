import { Option, type Command } from 'commander';
import { connect, CONNECTION_HELP, reportError, table, trustFor, UsageError } from '../../client/cli';
import { clientAction } from '../client-action';
import { fetchStatements } from '../../client/fetch';
import { findParentRequest, followStatement, readStatementFile } from '../../client/follow-files';
import { writeRequestFromTemplate } from '../../client/request-file';
import { maskCardNumber } from '../../documents/check-digits';
import { describeIdentifier, describeSubject } from '../../documents/subject';
import { writeReceipts } from '../../client/receipts';
import { formatStatus } from '../../client/status-text';
import { fetchedReasons } from '../../client/refusal';
import { submitRequestFile } from '../../client/submit';
import { DecryptionFlags, openDecryptionIdentity } from '../decryption-identity';
import { identityFlags, IdentityFlags, openIdentity } from '../identity';
import type { SetExit } from '../set-exit';

/** `art50 police …`: flags, output and exit codes only; the work is done in src/client/. */

interface Conn {
  gateway?: string;
  ca?: string;
  crl?: string[];
  registry?: string;
}

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
    .action((o: Conn & IdentityFlags & { request: string; json?: boolean }) => clientAction('submit', setExit, async (opened) => {
      const id = await openIdentity(o);
      const api = opened(connect(o, id.tls));
      const r = await submitRequestFile(api, await id.signer(), o.request);
      process.stdout.write(o.json
        ? JSON.stringify({ requestId: r.requestId, digest: r.digest, state: r.state, logIndex: r.logIndex, receiptFile: r.receiptFile, signedFile: r.signedFile }, null, 2) + '\n'
        : `requestId: ${r.requestId}\ndigest:    ${r.digest}\nstate:     ${r.state}\nlog index: ${r.logIndex}\nreceipt:   ${r.receiptFile}\n`);
    }));

  connOptions(identityFlags(police.command('list')
    .description('the body\'s requests, newest first, with the state per bank (GET /v1/requests)')
    .option('--limit <n>', 'requests per page (1-200)', '50')
    .option('--cursor <cursor>', 'the next page: the cursor printed under the previous one')
    .option('--json', 'print the JSON answer'), 'police'))
    .action((o: Conn & IdentityFlags & { limit: string; cursor?: string; json?: boolean }) => clientAction('list', setExit, async (opened) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new UsageError('--limit must be an integer from 1 to 200');
      const api = opened(connect(o, (await openIdentity(o)).tls));
      const page = await api.requests({ limit, ...(o.cursor ? { cursor: o.cursor } : {}) });
      if (o.json) process.stdout.write(JSON.stringify(page, null, 2) + '\n');
      else {
        const bankCell = (i: (typeof page.items)[number]): string => (i.banks.length > 0 ? i.banks.map((b) => `${b.bic} ${b.state}${b.overdue ? ' (overdue)' : ''}`).join(', ') : i.addressed === 'all' ? 'all' : i.addressed.join(', '));
        process.stdout.write(table([['received', 'requestId', 'ERDR', 'article', 'state', 'banks'], ...page.items.map((i) => [i.receivedAt, i.requestId, i.erdrNumber, i.article, i.state, bankCell(i)])]));
        if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
      }
    }));

  connOptions(identityFlags(police.command('status')
    .description('state of a request per bank (result of each answer), deadlines and receipts')
    .argument('<requestId>')
    .option('--statements <dir>', 'where police fetch wrote the statements: a refusing bank\'s reason is read from there (the gateway cannot read it)')
    .option('--json', 'print the JSON answer (with --statements, a refusing bank\'s reason is added to its entry)'), 'police'))
    .action((id: string, o: Conn & IdentityFlags & { statements?: string; json?: boolean }) => clientAction('status', setExit, async (opened) => {
      const api = opened(connect(o, (await openIdentity(o)).tls));
      const s = await api.status(id);
      const reasons = o.statements ? fetchedReasons(s, o.statements) : undefined;
      if (o.json) {
        const banks = reasons ? s.banks.map((b) => (reasons.has(b.bic) ? { ...b, reason: reasons.get(b.bic)! } : b)) : s.banks;
        process.stdout.write(JSON.stringify({ ...s, banks }, null, 2) + '\n');
      } else {
        process.stdout.write(formatStatus(s, reasons && o.statements ? { dir: o.statements, reasons } : undefined));
      }
    }));

  connOptions(identityFlags(police.command('receipts')
    .description('write every gateway receipt of a request (received, sanction, each delivery, each statement), each named for what it proves')
    .argument('<requestId>')
    .requiredOption('--out <dir>', 'output directory')
    .option('--json', 'print the list as JSON'), 'police'))
    .action((id: string, o: Conn & IdentityFlags & { out: string; json?: boolean }) => clientAction('receipts', setExit, async (opened) => {
      const api = opened(connect(o, (await openIdentity(o)).tls));
      const written = await writeReceipts(api, id, o.out);
      if (o.json) process.stdout.write(JSON.stringify(written, null, 2) + '\n');
      else process.stdout.write(table([['event', 'bank', 'log index', 'file'], ...written.map((w) => [w.event, w.bank ?? '-', String(w.logIndex), w.file])]));
    }));

  connOptions(identityFlags(police.command('fetch')
    .description('download every statement of a request, verify each, write <statementId>.p7s, .json, .movements.csv and .receipt.p7s')
    .argument('<requestId>')
    .requiredOption('--out <dir>', 'output directory')
    .option('--decrypt-p12 <file>', 'the body\'s encryption key as PKCS#12 (keys.example/police/encryption-A.p12): opens encrypted statements')
    .option('--decrypt-cert <pem>', 'the body\'s encryption certificate (with --decrypt-key)')
    .option('--decrypt-key <file>', 'its private key (PEM)')
    .option('--json', 'print what was written and refused as JSON'), 'police'), true)
    .action((id: string, o: Conn & IdentityFlags & DecryptionFlags & { out: string; json?: boolean }) => clientAction('fetch', setExit, async (opened) => {
      const api = opened(connect(o, (await openIdentity(o)).tls));
      const trust = opened(trustFor(o));
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
        // A refusal's reason is only in the statement, so this is where the investigator first reads it.
        for (const w of r.written.filter((x) => x.result === 'refused')) process.stdout.write(`${w.bank} refused (statement ${w.statementId}): ${w.reason ?? '-'}\n`);
      }
      for (const x of r.refused) process.stderr.write(`NOT WRITTEN ${x.statementId}: does not verify: ${x.code}: ${x.detail}\n`);
      if (r.refused.length > 0) setExit(2);
    }));

  police.command('request')
    .description('write a new request of the same case for another individual, named by --iin, --iban or --card (exactly one); then police submit it')
    .requiredOption('--template <json>', 'a request of the case: case, body, signer, scope, banks and deadline are copied')
    .option('--iin <iin>', 'the individual by IIN: every account of the person')
    .option('--iban <iban>', 'the holder of this Kazakh IBAN (spaces allowed): that account; the bank names the holder')
    .option('--card <number>', 'the holder of this payment card (spaces allowed): the account it draws on; the bank names the holder')
    .option('--name <name>', 'the individual\'s name, if known')
    .option('--banks <bics>', 'comma-separated BICs, or "all" (default: the template\'s)')
    .requiredOption('--out <json>', 'the request file to write')
    .option('--json', 'print the written request as JSON (a card number masked)')
    .action((o: { template: string; iin?: string; iban?: string; card?: string; name?: string; banks?: string; out: string; json?: boolean }) => {
      try {
        const r = writeRequestFromTemplate(o);
        const shown = describeSubject(r.subject);
        process.stdout.write(o.json
          ? JSON.stringify({ requestId: r.requestId, subject: shown, banks: r.banks, file: o.out }, null, 2) + '\n'
          : `requestId: ${r.requestId}\nsubject:   ${shown}\nbanks:     ${r.banks === 'all' ? 'all' : r.banks.join(',')}\nwritten:   ${o.out} (sign and send it: art50 police submit --request ${o.out})\n`);
      } catch (e) {
        setExit(reportError('request', e));
      }
    });

  connOptions(identityFlags(police.command('follow')
    .description('follow the money: one next-hop request per individual the subject sent money to, by IIN, else IBAN, else card number')
    .requiredOption('--statement <file>', 'statement: <id>.p7s (verified) or the <id>.json written by fetch')
    // Building the next hop is the command's only mode; --hop, which once named it, is still accepted so old scripts run.
    .addOption(new Option('--hop').hideHelp())
    .option('--out <dir>', 'where to write hop-<iin|iban|card-masked>.request.json', '.')
    .option('--request-template <json>', 'the parent request (case, body, signer, scope are copied); default: a request JSON with the statement\'s requestId next to the statement')
    .option('--submit', 'also sign and submit each next-hop request (needs --cert and --key, or --p12)')
    .option('--min-amount <amount>', 'follow only counterparties sent at least this much in total (decimal, e.g. 100000.00)')
    .option('--json', 'print the hops and the transfers not followed as JSON'), 'investigator or first head (with --submit)', { signs: true }), true)
    .action((o: Conn & IdentityFlags & { statement: string; out: string; requestTemplate?: string; submit?: boolean; minAmount?: string; json?: boolean }) => clientAction('follow', setExit, async (opened) => {
      if (o.submit && !o.p12 && (!o.cert || !o.key)) throw new UsageError('--submit needs --cert and --key, or --p12');
      if (o.minAmount !== undefined && !/^\d{1,15}(\.\d{1,2})?$/.test(o.minAmount)) throw new UsageError('--min-amount must be a decimal amount like 100000 or 100000.00');
      const trust = opened(trustFor(o));
      const statement = readStatementFile(o.statement, trust);
      const parent = findParentRequest(statement, o.statement, o.requestTemplate);
      const knownBanks = new Set(trust.registry.banks().map((b) => b.bic!));
      const id = o.submit ? await openIdentity(o) : undefined;
      const submit = id ? { api: opened(connect(o, id.tls)), identity: await id.signer() } : undefined;
      const r = await followStatement({ statement, parent, outDir: o.out, knownBanks, ...(submit ? { submit } : {}), ...(o.minAmount ? { minAmount: o.minAmount } : {}) });
      if (o.json) {
        // A card number is shown masked here too: this output ends up in scripts' logs.
        const hops = r.hops.map(({ request: _r, counterparty: c, ...h }) => ({ ...h, counterparty: { kind: c.kind, value: c.kind === 'card' ? maskCardNumber(c.value) : c.value } }));
        process.stdout.write(JSON.stringify({ hops, unfollowed: r.unfollowed }, null, 2) + '\n');
        return;
      }
      if (r.hops.length === 0) process.stdout.write(`statement ${statement.statementId}: no outgoing transfer to an individual to follow\n`);
      else {
        process.stdout.write(`statement ${statement.statementId} (${statement.bank.bic}) → ${r.hops.length} next-hop request(s):\n`);
        process.stdout.write(table([
          ['to', 'name', 'sent', 'banks', 'file', ...(o.submit ? ['requestId', 'state'] : [])],
          ...r.hops.map((h) => [
            describeIdentifier(h.counterparty), h.name ?? '-', Object.entries(h.totals).map(([c, v]) => `${v} ${c}`).join(' + '),
            h.banks === 'all' ? 'all' : h.banks.join(','), h.file,
            ...(h.submitted ? [h.submitted.requestId, h.submitted.state] : []),
          ]),
        ]));
      }
      if (r.unfollowed.length > 0) {
        process.stdout.write(`\n${r.unfollowed.length} outgoing transfer(s) not followed:\n`);
        process.stdout.write(table([['to', 'amount', 'booked', 'why not'], ...r.unfollowed.map((u) => [u.counterparty, `${u.amount} ${u.currency}`, u.bookedAt.slice(0, 16), u.reason])]));
      }
    }));
}
