import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyCms } from '../cms/verify';
import { Art50Error } from '../errors';
import { DecryptionIdentity, unsealStatement } from '../statements/unseal';
import type { ApiClient } from './api-client';
import { movementsCsv } from './csv';
import { reasonText } from './refusal';
import type { ClientTrust } from './trust';

export interface FetchedStatement {
  statementId: string;
  bank: string;
  result: string;
  current: boolean;
  files: string[];
  accounts: number;
  movements: number;
  /** A refusal's reason, as the bank wrote it inside the statement (one line, card numbers masked). */
  reason?: string;
}

export interface FetchOutcome {
  written: FetchedStatement[];
  refused: Array<{ statementId: string; code: string; detail: string }>;
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
        ...(doc.result === 'refused' && doc.reason ? { reason: reasonText(doc.reason) } : {}),
      });
    } catch (e) {
      if (!(e instanceof Art50Error)) throw e;
      out.refused.push({ statementId: item.statementId, code: e.code, detail: e.detail });
    }
  }
  return out;
}
