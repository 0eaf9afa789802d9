import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { Art50Error, isArt50Error } from '../../errors';
import { signCms } from '../../cms/sign';
import { verifyCms } from '../../cms/verify';
import { loadTrust, readCertificates } from '../../pki/trust';
import { createAjv } from '../../documents/ajv';
import { loadRegistry } from '../../participants/registry';
import { createDocumentValidators, parseJsonDocument } from '../../documents/validators';
import { checkSignerPath, identifySigner } from '../../documents/verify-steps';
import type { SetExit } from '../set-exit';
import { reportError } from '../../client/cli';
import { EXIT } from '../exit-codes';
import { identityFlags, IdentityFlags, openIdentity } from '../identity';



export interface VerifyReport {
  valid: boolean;
  code?: string;
  detail?: string;
  signer?: { cn?: string; iin?: string; bin?: string; o?: string; fingerprint: string };
  organisation?: { bin: string; name: string; kind: string };
  roles?: string[];
  signingTime?: string;
  digest?: string;
  /** The document type whose schema was checked (request, sanction, statement). */
  type?: string;
  /** For a gateway receipt: what it acknowledges (the digest of that document, not the receipt's own). */
  receipt?: { event: string; logIndex: number; digest?: string; requestDigest?: string; requestId?: string };
}

/** A file, or standard input for "-". */
function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (e) {
    throw new Art50Error('config.unreadable', `cannot read ${what} ${path}`, { cause: e });
  }
}

/**
 * `art50 verify`: the same steps the gateway runs (cms/verify → documents/verify-steps → schema),
 * offline, against the given trust anchors, CRLs and registry. Documents of a known type (request,
 * sanction, statement) are also checked against their schema; others (receipts, checkpoints) are
 * reported by signature, path and signer.
 */
export function verifyDocumentFile(opts: { in: string; trust: string; crl: string[]; registry: string }): VerifyReport & { content?: Buffer } {
  const report: VerifyReport & { content?: Buffer } = { valid: false };
  const validator = loadTrust({ anchors: [opts.trust], crls: opts.crl, crlOptions: { pollMs: 0 } });
  try {
    const v = verifyCms(readFile(opts.in, 'document'));
    report.signingTime = v.signingTime.toISOString();
    report.digest = v.digest;
    const checked = checkSignerPath(v, validator);
    report.signer = { ...checked.subject, fingerprint: checked.fingerprint };
    const ajv = createAjv();
    const participant = identifySigner(checked, loadRegistry(ajv, opts.registry));
    report.organisation = { bin: participant.organisation.bin, name: participant.organisation.name, kind: participant.organisation.kind };
    report.roles = [...participant.roles];
    const receipt = receiptOf(v.content);
    if (receipt) report.receipt = receipt;
    const kind = documentKindOf(v.content);
    if (kind) {
      createDocumentValidators(ajv)[kind](parseJsonDocument(v.content, Number.MAX_SAFE_INTEGER));
      report.type = kind;
    }
    report.valid = true;
    report.content = v.content;
  } catch (e) {
    if (!isArt50Error(e)) throw e;
    report.code = e.code;
    report.detail = e.detail;
  } finally {
    validator.close();
  }
  return report;
}

/** What a gateway receipt acknowledges (its event, log index and the digests it names). */
function receiptOf(content: Buffer): VerifyReport['receipt'] | undefined {
  try {
    const r = JSON.parse(content.toString('utf8')) as Record<string, unknown>;
    if (r.type !== 'receipt' || typeof r.event !== 'string' || typeof r.logIndex !== 'number') return undefined;
    const str = (k: string): Record<string, string> => (typeof r[k] === 'string' && r[k] !== '' ? { [k]: r[k] as string } : {});
    return { event: r.event, logIndex: r.logIndex, ...str('digest'), ...str('requestDigest'), ...str('requestId') };
  } catch {
    return undefined;
  }
}

/** The schema-backed kind a JSON document says it is, if any (its "type" member). */
function documentKindOf(content: Buffer): 'request' | 'sanction' | 'statement' | undefined {
  try {
    const type = (JSON.parse(content.toString('utf8')) as { type?: unknown }).type;
    return type === 'request' || type === 'sanction' || type === 'statement' ? type : undefined;
  } catch {
    return undefined; // not JSON: reported by signature only
  }
}

function printReport(r: VerifyReport): string {
  const lines = [
    `signer:       ${r.signer ? `${r.signer.cn ?? '?'}${r.signer.iin ? ` (IIN ${r.signer.iin})` : ''}` : '-'}`,
    `organisation: ${r.organisation ? `${r.organisation.name} (BIN ${r.organisation.bin}, ${r.organisation.kind})` : r.signer?.o ?? '-'}`,
    `roles:        ${r.roles?.join(', ') ?? '-'}`,
    `signing time: ${r.signingTime ?? '-'}`,
    `digest:       ${r.digest ?? '-'}${r.receipt ? '  (of this receipt)' : ''}`,
    ...(r.receipt ? [`receipt of:   ${r.receipt.event}, log entry ${r.receipt.logIndex}${r.receipt.requestId ? `, request ${r.receipt.requestId}` : ''}`] : []),
    ...(r.receipt?.digest ? [`acknowledges: document digest ${r.receipt.digest}`] : []),
    ...(r.receipt?.requestDigest ? [`request:      digest ${r.receipt.requestDigest}`] : []),
    `schema:       ${r.type ? `${r.type} (valid)` : '-'}`,
    `verdict:      ${r.valid ? 'VALID' : `INVALID ${r.code ?? ''}: ${r.detail ?? ''}`}`,
  ];
  return lines.join('\n') + '\n';
}

export function registerCmsCommands(program: Command, setExit: SetExit): void {
  identityFlags(program
    .command('sign')
    .description('sign a document as CMS SignedData (attached content); --cert/--key or --p12 name the signing (SIGN) key')
    .requiredOption('--in <file>', 'document to sign (bytes are signed exactly as they are; - for standard input)')
    .requiredOption('--out <file>', 'where to write the DER CMS (- for standard output)')
    .option('--chain <pem>', 'extra certificates to include (PEM bundle)')
    .option('--pss', 'RSA-PSS instead of PKCS#1 v1.5 (RSA keys only)')
    .option('--json', 'print the result as JSON'), 'signer')
    .action(async (opts: IdentityFlags & { in: string; out: string; chain?: string; pss?: boolean; json?: boolean }) => {
      try {
        const { auth } = await openIdentity(opts, 'signer');
        const chain = [...(auth.chain ?? []), ...(opts.chain ? readCertificates(opts.chain) : [])];
        const der = signCms(readFile(opts.in, 'document'), {
          cert: auth.cert, key: auth.key, rsaPadding: opts.pss ? 'pss' : 'pkcs1', ...(chain.length ? { chain } : {}),
        });
        if (opts.out === '-') {
          process.stdout.write(der);
        } else {
          writeFileSync(opts.out, der);
          process.stdout.write(opts.json ? JSON.stringify({ out: opts.out, bytes: der.length, signer: auth.cert.subject }) + '\n' : `signed ${opts.in} → ${opts.out} (${der.length} bytes)\n`);
        }
      } catch (e) {
        setExit(reportError('sign', e));
      }
    });

  program
    .command('verify')
    .description('verify a signed document offline: CMS signature, certificate path, CRL, participant registry')
    .requiredOption('--in <file>', 'CMS document (DER or PEM; - for standard input)')
    .option('--out <file>', 'write the verified content (the exact signed bytes) here, only when valid (- for standard output)')
    .option('--trust <pem>', 'trust anchors (PEM; $ART50_TRUST; --demo for keys.example)')
    .option('--crl <file...>', 'CRL file(s) ($ART50_CRL)')
    .option('--registry <json>', 'participant registry ($ART50_REGISTRY)')
    .option('--json', 'print the report as JSON')
    .action((opts: { in: string; out?: string; trust: string; crl: string[]; registry: string; json?: boolean }) => {
      let report: VerifyReport & { content?: Buffer };
      try {
        report = verifyDocumentFile(opts);
      } catch (e) {
        report = { valid: false, code: isArt50Error(e) ? e.code : 'http.internal', detail: e instanceof Error ? e.message : String(e) };
      }
      const { content, ...shown } = report;
      if (opts.out === '-' && content) {
        process.stdout.write(content); // the verified bytes only; the verdict is the exit code
      } else {
        if (opts.out && content) writeFileSync(opts.out, content);
        process.stdout.write(opts.json ? JSON.stringify(shown, null, 2) + '\n' : printReport(shown));
      }
      if (!report.valid && opts.out === '-') process.stderr.write(printReport(shown));
      const usage = report.code === 'config.invalid' || report.code === 'config.unreadable' || report.code === 'registry.invalid';
      setExit(report.valid ? EXIT.ok : usage ? EXIT.usage : EXIT.invalid);
    });
}
