import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type ChartSeries = {
  label: string;
  values: readonly number[];
  color: string;
  /** bars for counts that add up (footfall), lines for the rest */
  kind: 'bars' | 'line';
  /** the right-hand axis, for a series on another scale (revenue beside counts) */
  rightAxis?: boolean;
};

export type UPlotChartProps = {
  /** accessible name of the chart */
  title: string;
  /** one label per x position (hour "09:00" or date "11-20") */
  xLabels: readonly string[];
  series: readonly ChartSeries[];
  height?: number;
  /** formats the right-hand axis' ticks */
  formatRight?: (value: number) => string;
};

/**
 * A uPlot chart (about 50 kB, canvas). Loaded on demand so the guide screens never carry it, and
 * skipped where there is no canvas (jsdom); the figures are also in the tiles, the table and the
 * CSV, so the chart never carries information that is only in pixels.
 */
export function UPlotChart({ title, xLabels, series, height = 260, formatRight }: UPlotChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el || typeof window.matchMedia !== 'function') return;
    let plot: uPlot | null = null;
    let observer: ResizeObserver | null = null;
    let cancelled = false;
    void import('uplot')
      .then(({ default: UPlot }) => {
        if (cancelled) return;
        const xs = xLabels.map((_, i) => i);
        const bars = UPlot.paths.bars?.({ size: [0.6, 48] });
        const hasRight = series.some((s) => s.rightAxis);
        const options: uPlot.Options = {
          width: Math.max(320, el.clientWidth),
          height,
          // Series names only: the per-point values are in the tiles, the table and the CSV.
          legend: { show: true, live: false },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: false }, ...(hasRight ? { right: { auto: true } } : {}) },
          axes: [
            {
              values: (_u, ticks) => ticks.map((i) => xLabels[i] ?? ''),
              gap: 6,
              grid: { show: false },
            },
            { grid: { stroke: '#e8ecf1' }, size: 48 },
            ...(hasRight
              ? [
                  {
                    side: 1,
                    scale: 'right',
                    grid: { show: false },
                    size: 70,
                    values: (_u: uPlot, ticks: number[]) =>
                      ticks.map((v) => (formatRight ? formatRight(v) : String(v))),
                  },
                ]
              : []),
          ],
          series: [
            { label: '', value: (_u, i) => (i === null ? '' : (xLabels[i] ?? '')) },
            ...series.map((s) => ({
              label: s.label,
              stroke: s.color,
              width: s.kind === 'line' ? 2.5 : 0,
              fill: s.kind === 'bars' ? `${s.color}55` : undefined,
              paths: s.kind === 'bars' ? bars : undefined,
              points: { show: s.kind === 'line' && xLabels.length <= 31, size: 5 },
              scale: s.rightAxis ? 'right' : 'y',
              value: (_u: uPlot, v: number | null) =>
                v === null ? '—' : s.rightAxis && formatRight ? formatRight(v) : String(v),
            })),
          ],
        };
        plot = new UPlot(options, [xs, ...series.map((s) => [...s.values])], el);
        if (typeof ResizeObserver === 'function') {
          observer = new ResizeObserver(() => {
            plot?.setSize({ width: Math.max(320, el.clientWidth), height });
          });
          observer.observe(el);
        }
      })
      .catch(() => {
        // No canvas here: the chart is an extra view of figures shown elsewhere.
      });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [xLabels, series, height, formatRight]);
  return <div ref={host} role="img" aria-label={title} className="uplot-host" />;
}
