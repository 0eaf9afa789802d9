import type { Participant } from '../participants/types';
import type { Registry } from '../participants/registry';
import type { StoredRequest } from './types';

/**
 * Who may see a request: its body, the prosecutor's offices supervising that body, auditors.
 * Everyone else is told it does not exist (404), so existence itself does not leak.
 */
export function canSeeRequest(p: Participant, request: Pick<StoredRequest, 'bodyBin'>, registry: Registry): boolean {
  if (p.roles.includes('auditor')) return true;
  if (p.organisation.bin === request.bodyBin) return true;
  return p.organisation.kind === 'prosecutor_office' && registry.supervises(p.organisation.bin, request.bodyBin);
}

/** Statements are for the requesting body only (and never for other bodies, banks or prosecutors). */
export function canDownloadStatements(p: Participant, request: Pick<StoredRequest, 'bodyBin'>): boolean {
  return p.organisation.kind === 'police' && p.organisation.bin === request.bodyBin;
}
