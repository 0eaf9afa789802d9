import { useLayoutEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  colour: string;
}

interface Props {
  id: string;
  title: string;
  /** Category labels along x (banks, months). */
  categories: string[];
  /** Bars take one or two series (side by side); lines any number. */
  series: ChartSeries[];
  kind: 'bars' | 'lines';
  /** Text for screen readers: the chart's figures are also in the table next to it. */
  summary: string;
  unit?: string;
}

/**
 * A small chart over categories, drawn by uPlot (bundled; canvas only, no style elements, so the
 * console's CSP holds). The figures are those of the table beside it, which screen readers and the
 * CSV export get.
 */
export function Chart({ id, title, categories, series, kind, summary, unit = '' }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const key = JSON.stringify([title, categories, series, kind]);
  // Drawn as soon as the element exists, not after the next frame.
  useLayoutEffect(() => {
    if (!host.current || categories.length === 0) return undefined;
    const xs = categories.map((_, i) => i);
    const paired = kind === 'bars' && series.length === 2;
    const plot = new uPlot({
      title,
      width: Math.min(880, Math.max(360, 110 * categories.length)),
      height: 240,
      scales: { x: { time: false, range: [-0.6, categories.length - 0.4] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [
        { splits: () => xs, values: (_u, splits) => splits.map((s) => categories[s] ?? '') },
        { values: (_u, splits) => splits.map((s) => `${+s.toFixed(2)}${unit}`), size: 60 },
      ],
      cursor: { show: false },
      // No cursor, so a static legend: series names and colours only.
      legend: { live: false },
      series: [
        { label: '' },
        ...series.slice(0, kind === 'bars' ? 2 : undefined).map((s, k) => ({
          label: s.label,
          stroke: s.colour,
          width: kind === 'bars' ? 1 : 2,
          ...(kind === 'bars'
            // Two series sit left and right of their category; one is centred on it.
            ? { fill: s.colour, paths: uPlot.paths.bars!({ size: [paired ? 0.35 : 0.6, 60], align: paired ? (k === 0 ? -1 : 1) : 0 }), points: { show: false } }
            : { points: { show: true, size: 6, fill: s.colour } }),
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${+v.toFixed(2)}${unit}`),
        })),
      ],
    }, [xs, ...series.map((s) => s.values)] as uPlot.AlignedData, host.current);
    return () => plot.destroy();
  }, [key]);
  return <figure class="chart" id={id} role="img" aria-label={summary}><div ref={host} /></figure>;
}
