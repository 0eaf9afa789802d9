export interface Percentiles {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
}

/** Nearest-rank percentiles (the value at rank ⌈q·n⌉), so every figure is one observed response time. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50Ms: null, p90Ms: null, p99Ms: null };
  const v = Float64Array.from(values).sort();
  const at = (q: number): number => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)]!;
  return { count: v.length, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99) };
}
