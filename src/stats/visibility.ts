import type { Registry } from '../participants/registry';
import type { Participant } from '../participants/types';
import type { Stats } from './aggregate';
import type { StatsService } from './service';

export type VisibleStats = Stats & { scope: 'national' | { bodies: string[] } };

/**
 * Auditors see the whole log. A prosecutor's office sees only figures summed from the requests of
 * the bodies it supervises — every one of them, per bank and per article included: a national
 * total next to the office's own share would give the other bodies' figures away by subtraction.
 */
export async function statsFor(viewer: Participant, stats: StatsService, registry: Registry): Promise<VisibleStats> {
  if (viewer.roles.includes('auditor')) return { ...(await stats.stats('national')), scope: 'national' };
  const bins = supervisedBodies(viewer, registry);
  return { ...(await stats.stats(bins)), scope: { bodies: [...bins].sort() } };
}

export function supervisedBodies(viewer: Participant, registry: Registry): Set<string> {
  return new Set(registry.file.organisations.filter((o) => o.kind === 'police' && registry.supervises(viewer.organisation.bin, o.bin)).map((o) => o.bin));
}
