import type { Registry } from '../participants/registry';
import type { Participant } from '../participants/types';
import type { Stats } from './aggregate';

/**
 * Auditors see everything. A prosecutor's office sees the per-body and per-region breakdown only
 * for the bodies it supervises; the national totals (by article, bank, outcome) stay, as they say
 * nothing about any one body.
 */
export function statsFor(viewer: Participant, stats: Stats, registry: Registry): Stats & { scope: 'national' | { bodies: string[] } } {
  if (viewer.roles.includes('auditor')) return { ...stats, scope: 'national' };
  const bodies = registry.file.organisations.filter((o) => o.kind === 'police' && registry.supervises(viewer.organisation.bin, o.bin));
  const bins = new Set(bodies.map((b) => b.bin));
  const byBody = Object.fromEntries(Object.entries(stats.byBody).filter(([bin]) => bins.has(bin)));
  // Regions are summed from the supervised bodies only: a region total that included other
  // bodies would give their numbers away by subtraction.
  const byRegion: Record<string, number> = {};
  for (const [bin, n] of Object.entries(byBody)) {
    const region = registry.organisation(bin)?.region ?? 'unknown';
    byRegion[region] = (byRegion[region] ?? 0) + n;
  }
  return { ...stats, byBody, byRegion, scope: { bodies: [...bins] } };
}
