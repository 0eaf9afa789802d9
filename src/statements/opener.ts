import { X509Certificate } from 'node:crypto';
import { decodeInput } from '../cms/verify';
import type { SignedDocument } from '../documents/signed-document';
import { checkStatementAgainstRequest } from '../documents/semantics';
import { checkSignerPath, identifySigner } from '../documents/verify-steps';
import type { RequestDoc, StatementDoc } from '../documents/types';
import type { Registry } from '../participants/registry';
import type { PathValidator, ValidatedCertificate } from '../pki/types';
import type { StatementSchemaCheck } from './validate';
import type { DocumentVerifier } from '../documents/signed-document';
import type { StatementWorkerPool } from './worker-pool';

/**
 * A statement whose signature, signer path and schema are checked. `doc` may omit the accounts
 * (when the document was parsed off the main thread); `againstRequest` runs the semantic checks
 * that need them, wherever the document lives.
 */
export interface OpenedStatement {
  sd: SignedDocument<StatementDoc>;
  againstRequest(request: RequestDoc): Promise<void>;
  release(): void;
}

export type OnVerified = (digest: string, signer: ValidatedCertificate) => void;

export interface StatementOpener {
  open(der: Buffer, onVerified: OnVerified): Promise<OpenedStatement>;
}

/** In the event loop: right for ordinary statements (a few hundred kB). */
export class InlineStatementOpener implements StatementOpener {
  constructor(private readonly verifier: DocumentVerifier, private readonly schema: StatementSchemaCheck) {}

  async open(der: Buffer, onVerified: OnVerified): Promise<OpenedStatement> {
    const sd = await this.verifier.openFresh(der, 'statement', onVerified);
    await new Promise<void>((r) => setImmediate(r));
    await this.schema.movements(sd.doc);
    return { sd, againstRequest: async (request) => checkStatementAgainstRequest(sd.doc, request), release: () => undefined };
  }
}

/**
 * Off the event loop: CMS digest and signature, UTF-8 decoding, JSON.parse, schema and the
 * semantic checks of a large statement (100,000 movements ≈ 25 MB) run in a worker thread, which
 * keeps the parsed document; the event loop only sees a small header. Path validation and the
 * registry stay here (cached, cheap).
 */
export class WorkerStatementOpener implements StatementOpener {
  constructor(private readonly pool: StatementWorkerPool, private readonly validator: PathValidator, private readonly registry: Registry) {}

  async open(der: Buffer, onVerified: OnVerified): Promise<OpenedStatement> {
    const parsed = await this.pool.open(der);
    const release = (): void => parsed.release();
    try {
      const signerCert = new X509Certificate(parsed.signer);
      const intermediates = parsed.certificates.map((c) => new X509Certificate(c));
      await this.validator.prepare?.(signerCert, { purpose: 'signature', at: parsed.signingTime, intermediates });
      const signer = checkSignerPath({ signer: signerCert, certificates: intermediates, signingTime: parsed.signingTime }, this.validator);
      onVerified(parsed.digest, signer);
      const participant = identifySigner(signer, this.registry);
      const sd: SignedDocument<StatementDoc> = { doc: parsed.header, cms: decodeInput(der), digest: parsed.digest, signingTime: parsed.signingTime, signer, participant };
      return { sd, againstRequest: (request) => parsed.againstRequest(request), release };
    } catch (e) {
      release();
      throw e;
    }
  }
}

/** Large bodies go to the worker, small ones stay inline (a worker round trip costs more than they do). */
export class SizeRoutedOpener implements StatementOpener {
  constructor(private readonly inline: StatementOpener, private readonly worker: StatementOpener, private readonly thresholdBytes: number) {}

  open(der: Buffer, onVerified: OnVerified): Promise<OpenedStatement> {
    return (der.length > this.thresholdBytes ? this.worker : this.inline).open(der, onVerified);
  }
}

/** The opener the gateway uses: inline below `thresholdBytes`, the worker pool above. */
export function createStatementOpener(d: {
  verifier: DocumentVerifier;
  schema: StatementSchemaCheck;
  validator: PathValidator;
  registry: Registry;
  pool: StatementWorkerPool;
  thresholdBytes: number;
}): StatementOpener {
  return new SizeRoutedOpener(new InlineStatementOpener(d.verifier, d.schema), new WorkerStatementOpener(d.pool, d.validator, d.registry), d.thresholdBytes);
}
