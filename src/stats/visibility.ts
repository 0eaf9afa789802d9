import type { Registry } from '../participants/registry';
import type { Participant } from '../participants/types';
import type { Stats } from './aggregate';

export type VisibleStats = Stats & { scope: 'national' | { bodies: string[] } };

/**
 * Auditors see everything. A prosecutor's office sees the per-body, per-region and per-month
 * breakdown and the overdue list only for the bodies it supervises; the national totals (by
 * article, bank, outcome) stay, as they say nothing about any one body.
 */
export function statsFor(viewer: Participant, stats: Stats, registry: Registry): VisibleStats {
  if (viewer.roles.includes('auditor')) return { ...stats, scope: 'national' };
  const bins = supervisedBodies(viewer, registry);
  const byBody = Object.fromEntries(Object.entries(stats.byBody).filter(([bin]) => bins.has(bin)));
  // Regions are summed from the supervised bodies only: a region total that included other
  // bodies would give their numbers away by subtraction.
  const byRegion: Record<string, number> = {};
  for (const [bin, n] of Object.entries(byBody)) {
    const region = registry.organisation(bin)?.region ?? 'unknown';
    byRegion[region] = (byRegion[region] ?? 0) + n;
  }
  const monthly = stats.monthly.filter((r) => bins.has(r.body));
  // Overdue deliveries name requests: only those of the supervised bodies (the per-bank count stays national).
  const overdue = stats.overdue.filter((o) => o.body !== undefined && bins.has(o.body));
  return { ...stats, byBody, byRegion, monthly, overdue, scope: { bodies: [...bins] } };
}

export function supervisedBodies(viewer: Participant, registry: Registry): Set<string> {
  return new Set(registry.file.organisations.filter((o) => o.kind === 'police' && registry.supervises(viewer.organisation.bin, o.bin)).map((o) => o.bin));
}
