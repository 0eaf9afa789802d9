/**
 * The closed list of refusal codes. Each code is stable: clients and auditors match on it,
 * so a code is never renamed or reused. The HTTP status lives here (not at the throw site) so the
 * API and the workers map failures the same way. docs/errors.md lists the same table.
 */
export const CATALOG = {
  // transport and HTTP framing
  'http.not_found': { status: 404, title: 'Not found' },
  'http.method_not_allowed': { status: 405, title: 'Method not allowed' },
  'http.unsupported_media_type': { status: 415, title: 'Unsupported media type' },
  'http.body_too_large': { status: 413, title: 'Body too large' },
  'http.bad_request': { status: 400, title: 'Bad request' },
  'http.bad_json': { status: 400, title: 'Malformed JSON body' },
  'http.empty_body': { status: 400, title: 'Empty body' },
  'http.busy': { status: 503, title: 'Service busy' },
  'http.internal': { status: 500, title: 'Internal error' },
  'http.not_ready': { status: 503, title: 'Not ready' },
  // the store's replicas (ART50_REDIS_MIN_REPLICAS)
  'store.replication_timeout': { status: 503, title: 'Write not confirmed by the replicas' },
  // TLS client authentication
  'auth.client_cert_missing': { status: 401, title: 'Client certificate required' },
  'auth.client_cert_untrusted': { status: 403, title: 'Client certificate not trusted' },
  'auth.client_cert_revoked': { status: 403, title: 'Client certificate revoked' },
  'auth.client_cert_expired': { status: 403, title: 'Client certificate expired' },
  'auth.client_unknown': { status: 403, title: 'Client is not a registered participant' },
  'auth.forbidden': { status: 403, title: 'Not allowed for this client' },
  // console sign-in by signature and sessions
  'auth.challenge_invalid': { status: 401, title: 'Sign-in challenge unknown, expired or used' },
  'auth.session_invalid': { status: 401, title: 'Console session ended' },
  'auth.csrf': { status: 403, title: 'CSRF token missing or wrong' },
  'auth.login_throttled': { status: 429, title: 'Too many failed sign-ins' },
  // CMS structure and signature
  'cms.malformed': { status: 400, title: 'Malformed CMS document' },
  'cms.unsupported': { status: 400, title: 'Unsupported CMS feature' },
  'cms.detached': { status: 400, title: 'Content is not attached' },
  'cms.signer_count': { status: 400, title: 'Exactly one signer is required' },
  'cms.no_signed_attributes': { status: 400, title: 'Signed attributes are required' },
  'cms.content_type_mismatch': { status: 400, title: 'Content type attribute mismatch' },
  'cms.digest_mismatch': { status: 400, title: 'Content digest mismatch' },
  'cms.signature_invalid': { status: 400, title: 'Signature invalid' },
  'cms.signer_cert_missing': { status: 400, title: 'Signer certificate not included' },
  'cms.unsupported_algorithm': { status: 422, title: 'Algorithm not accepted' },
  'cms.signing_time_missing': { status: 400, title: 'Signing time missing' },
  'cms.signing_time_future': { status: 400, title: 'Signing time in the future' },
  // certificate path
  'cert.malformed': { status: 400, title: 'Malformed certificate' },
  'cert.untrusted': { status: 403, title: 'Certificate not issued by a trusted CA' },
  'cert.self_signed': { status: 403, title: 'Self-signed certificate' },
  'cert.expired': { status: 403, title: 'Certificate expired' },
  'cert.not_yet_valid': { status: 403, title: 'Certificate not yet valid' },
  'cert.revoked': { status: 403, title: 'Certificate revoked' },
  'cert.crl_stale': { status: 503, title: 'Revocation list out of date' },
  'cert.crl_missing': { status: 503, title: 'Revocation list unavailable' },
  'cert.key_usage': { status: 403, title: 'Certificate key usage does not allow this' },
  'cert.not_ca': { status: 403, title: 'Issuer is not a CA' },
  'cert.path_length': { status: 403, title: 'Path length constraint exceeded' },
  'cert.critical_extension': { status: 403, title: 'Unknown critical extension' },
  'cert.weak_key': { status: 403, title: 'Key type or size not accepted' },
  'cert.name_constraints': { status: 403, title: 'Name constraints violated' },
  'cert.profile': { status: 403, title: 'Certificate does not follow the RFC 5280 profile' },
  'cert.ocsp_unavailable': { status: 503, title: 'Certificate status unavailable' },
  'cert.ocsp_unknown': { status: 403, title: 'Certificate unknown to its OCSP responder' },
  // participants and roles
  'participant.unknown': { status: 403, title: 'Unknown participant' },
  'participant.role': { status: 403, title: 'Signer does not hold the required role' },
  'participant.wrong_body': { status: 403, title: 'Signer does not belong to the named body' },
  'participant.client_mismatch': { status: 403, title: 'Client does not belong to the named organisation' },
  'participant.not_supervising': { status: 403, title: 'Prosecutor does not supervise this body' },
  'participant.wrong_bank': { status: 403, title: 'Signer does not belong to the named bank' },
  // documents
  'document.not_json': { status: 400, title: 'Content is not JSON' },
  'document.too_large': { status: 413, title: 'Document too large' },
  'document.schema': { status: 422, title: 'Document does not match its schema' },
  'document.type': { status: 422, title: 'Wrong document type' },
  'document.created_in_future': { status: 422, title: 'Creation time is in the future' },
  'document.too_old': { status: 422, title: 'Creation time is too long ago' },
  'document.date_in_future': { status: 422, title: 'A requested date lies in the future' },
  'document.unknown_bank': { status: 422, title: 'Unknown bank' },
  'document.duplicate_key': { status: 422, title: 'Duplicate member name' },
  'document.too_costly': { status: 422, title: 'Document too costly to verify' },
  // requests and sanctions
  'request.not_found': { status: 404, title: 'Request not found' },
  'request.conflict': { status: 409, title: 'Request id already used with other content' },
  'request.deadline': { status: 422, title: 'Deadline exceeds the legal maximum' },
  'request.iban_checksum': { status: 422, title: 'Subject IBAN fails its check digits' },
  'request.card_checksum': { status: 422, title: 'Subject card number fails its check digit' },
  'sanction.digest_mismatch': { status: 422, title: 'Sanction is bound to another request' },
  'sanction.request_mismatch': { status: 422, title: 'Sanction names another request' },
  'sanction.case_mismatch': { status: 422, title: 'Sanction names another case' },
  'sanction.not_yet_valid': { status: 422, title: 'Sanction not yet valid' },
  'sanction.expired': { status: 422, title: 'Sanction expired' },
  'sanction.already_decided': { status: 409, title: 'Request already decided' },
  // delivery
  'delivery.not_found': { status: 404, title: 'Delivery not found' },
  // statements
  'statement.not_found': { status: 404, title: 'Statement not found' },
  'statement.no_delivery': { status: 422, title: 'Bank has no delivery for this request' },
  'statement.digest_mismatch': { status: 422, title: 'Statement is bound to another request version' },
  'statement.conflict': { status: 409, title: 'Another statement already answers this delivery' },
  'statement.scope': { status: 422, title: 'Statement does not match the requested scope' },
  'statement.period': { status: 422, title: 'Movement outside the requested period' },
  'statement.expired': { status: 410, title: 'Statement payload past retention' },
  'statement.encryption_required': { status: 422, title: 'The requesting body accepts encrypted statements only' },
  'statement.wrong_recipient': { status: 422, title: 'Statement not encrypted to the requesting body' },
  'statement.header_mismatch': { status: 422, title: 'Statement header does not match the ciphertext' },
  'cms.decrypt_failed': { status: 422, title: 'Encrypted statement does not open' },
  // log
  'log.bad_range': { status: 400, title: 'Bad log range' },
  'log.not_found': { status: 404, title: 'Log entry not found' },
  'log.inconsistent': { status: 409, title: 'Log is inconsistent' },
  'log.checkpoint_signature': { status: 422, title: 'Checkpoint signature invalid' },
  'log.bad_entry': { status: 500, title: 'Log entry rejected before sequencing' },
  // cases (the money trail)
  'case.bad_erdr': { status: 400, title: 'Not an ERDR number' },
  'case.not_found': { status: 404, title: 'Case not found' },
  'case.trail_too_large': { status: 422, title: 'Case too large for the trail' },
  // configuration (startup only, never over HTTP)
  'config.invalid': { status: 500, title: 'Invalid configuration' },
  'config.unreadable': { status: 500, title: 'Configuration file not readable' },
  'registry.invalid': { status: 500, title: 'Invalid participant registry' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof CATALOG;

export function statusOf(code: ErrorCode): number {
  return CATALOG[code].status;
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(CATALOG, code);
}

export function titleOf(code: ErrorCode): string {
  return CATALOG[code].title;
}
