import { Art50Error } from '../errors';
import { decodeInput, verifyCms } from '../cms/verify';
import { CertificateCache } from '../pki/cert-cache';
import type { Registry } from '../participants/registry';
import type { Participant } from '../participants/types';
import type { PathValidator, ValidatedCertificate } from '../pki/types';
import type { DocumentValidators } from './validators';
import { parseJsonDocument } from './validators';
import { checkSignerPath, identifySigner } from './verify-steps';
import { DOCUMENT_KINDS } from './kinds';
import type { DocumentsByType, DocumentType } from './types';

/** What DocumentVerifier opens: every kind of DOCUMENT_KINDS, by its `type`. */
export type VerifiableKinds = DocumentsByType;
/** The kinds posted as documents of their own: all but the signed header, which comes only with an encrypted statement. */
export type DocumentKind = Exclude<DocumentType, 'statement-header'>;

/** A document whose signature, signer certificate path and schema have all been checked. */
export interface SignedDocument<T> {
  doc: T;
  /** The exact CMS bytes as received. */
  cms: Buffer;
  /** Lowercase hex SHA-256 of the signed JSON bytes. */
  digest: string;
  signingTime: Date;
  signer: ValidatedCertificate;
  participant: Participant;
}

/**
 * The verification pipeline for every signed document, in one readable order:
 * CMS structure and signature → signer path to the trust anchors (at signing time and now)
 * → signer in the participant registry → JSON → schema. Role and binding checks that depend
 * on the document's meaning are the callers'.
 */
export class DocumentVerifier {
  /** Every document carries its signer's certificate: parse a known signer once. */
  private readonly certificates = new CertificateCache(1000);

  constructor(
    private readonly deps: {
      validator: PathValidator;
      registry: Registry;
      validators: DocumentValidators;
      maxJsonBytes: number;
      /** The gateway's clock and its skew allowance (ART50_CLOCK_SKEW_SECONDS) for signing times; default the system clock and 300 s. */
      clock?: () => Date;
      clockSkewSeconds?: number;
    },
  ) {}

  open<K extends keyof VerifiableKinds>(der: Buffer, kind: K, onVerified?: (digest: string, signer: ValidatedCertificate) => void): SignedDocument<VerifiableKinds[K]> {
    return this.afterSignature(this.signature(der), der, kind, onVerified);
  }

  /**
   * open(), with what the signer's path needs from the network fetched first: the CMS signature
   * is checked once, then the signer's OCSP status is made fresh (PathValidator.prepare), then
   * the same synchronous steps decide. For callers that can wait (document intake).
   */
  async openFresh<K extends keyof VerifiableKinds>(der: Buffer, kind: K, onVerified?: (digest: string, signer: ValidatedCertificate) => void): Promise<SignedDocument<VerifiableKinds[K]>> {
    const cms = this.signature(der);
    await this.deps.validator.prepare?.(cms.signer, { purpose: 'signature', at: cms.signingTime, intermediates: cms.certificates });
    return this.afterSignature(cms, der, kind, onVerified);
  }

  private signature(der: Buffer): ReturnType<typeof verifyCms> {
    if (der.length === 0) throw new Art50Error('http.empty_body', 'the body is empty; post the DER bytes of a CMS SignedData document');
    return verifyCms(der, {
      certificates: this.certificates,
      ...(this.deps.clock ? { now: this.deps.clock() } : {}),
      ...(this.deps.clockSkewSeconds !== undefined ? { clockSkewSeconds: this.deps.clockSkewSeconds } : {}),
    });
  }

  private afterSignature<K extends keyof VerifiableKinds>(
    cms: ReturnType<typeof verifyCms>, der: Buffer, kind: K, onVerified?: (digest: string, signer: ValidatedCertificate) => void,
  ): SignedDocument<VerifiableKinds[K]> {
    const signer = checkSignerPath(cms, this.deps.validator);
    onVerified?.(cms.digest, signer);
    const participant = identifySigner(signer, this.deps.registry);
    // A statement may be tens of MB: its size was bounded by the endpoint's body limit already.
    const json = parseJsonDocument(cms.content, DOCUMENT_KINDS[kind].size === 'body' ? Number.MAX_SAFE_INTEGER : this.deps.maxJsonBytes);
    const doc = this.deps.validators[kind](json) as VerifiableKinds[K];
    // Stored and handed on as DER even when it was posted as PEM.
    return { doc, cms: decodeInput(der), digest: cms.digest, signingTime: cms.signingTime, signer, participant };
  }
}
