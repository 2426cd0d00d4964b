import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { language } from './i18n.ts';

export interface PlotSeries {
  label: string;
  values: (number | null)[];
}

export interface PlotData {
  /** Bucket starts, seconds since the epoch. */
  x: number[];
  series: PlotSeries[];
  unit: string;
  /** Bars (energy per bucket) or lines (power). */
  bars: boolean;
  /** A small plot inside a tile: lower, and no narrower than a phone's tile. */
  compact?: boolean;
  /** Whether zero stays in view (default): true for power and energy; a temperature is read around its values. */
  fromZero?: boolean;
  /**
   * The time the data is about (seconds since the epoch; the answer's start and end), shown whole: a day just
   * begun has one bucket, around which uPlot would otherwise widen the axis by years.
   */
  span: { from: number; to: number };
}

// Colour-blind-safe (Okabe–Ito) and readable on the light and the dark background.
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999', '#7a5195', '#003f5c'];

const DAY_S = 86_400;

/**
 * Time-axis labels in the page's language (uPlot's own are US-style: "12/6/26" reads as 12 June in Europe), by
 * the spacing uPlot chose for the ticks: clock times within a day (with the date under the first and under every
 * midnight), then days, months, years.
 */
function timeLabels(locale: string): (ticks: number[], incrementS: number) => string[] {
  const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  const day = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });
  const month = new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric' });
  const year = new Intl.DateTimeFormat(locale, { year: 'numeric' });
  return (ticks, incrementS) =>
    ticks.map((tick, i) => {
      const at = new Date(tick * 1000);
      if (incrementS >= 365 * DAY_S) return year.format(at);
      if (incrementS >= 28 * DAY_S) return month.format(at);
      if (incrementS >= DAY_S) return day.format(at);
      const midnight = at.getHours() === 0 && at.getMinutes() === 0;
      return i === 0 || midnight ? `${clock.format(at)}\n${day.format(at)}` : clock.format(at);
    });
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** A uPlot chart that fills its container's width and follows it when the window resizes. */
export function drawPlot(container: HTMLElement, data: PlotData): { destroy(): void; chart: uPlot } {
  const text = cssVar('--text', '#1b1f24');
  const gridLine = cssVar('--line', '#d0d7de');
  const locale = language === 'de' ? 'de-DE' : 'en-GB';
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const times = timeLabels(locale);
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const axis = { stroke: text, grid: { stroke: gridLine, width: 1 }, ticks: { stroke: gridLine, width: 1 } };
  const count = Math.max(1, data.series.length);
  // A bar covers its bucket from the bucket's start (x), so the first and the last stay inside the span.
  const bars = data.bars ? uPlot.paths.bars?.({ size: [0.9 / count, 60], gap: 1, align: 1 }) : undefined;
  const width = () => Math.max(data.compact ? 160 : 280, container.clientWidth);
  const height = () => (data.compact ? 160 : Math.min(420, Math.max(240, Math.round(width() * 0.5))));
  const { span } = data;
  const chart = new uPlot(
    {
      width: width(),
      height: height(),
      tzDate: (ts) => new Date(ts * 1000),
      legend: { live: true },
      hooks: {
        // The time shown, for whoever reads the page without the canvas (tests; the aria-label names what is plotted).
        setScale: [
          (u, key) => {
            if (key !== 'x') return;
            container.dataset.xFrom = String(u.scales.x?.min);
            container.dataset.xTo = String(u.scales.x?.max);
          },
        ],
      },
      cursor: { drag: { x: true, y: false } },
      // Zero always in view (bars grow from it); a range of only zeros still gets a scale.
      scales: {
        x: { time: true, range: () => [span.from, span.to] },
        y: data.fromZero === false ? {} : { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : min < 0 ? 0 : 1] },
      },
      axes: [
        { ...axis, values: (_u, ticks, _axis, _space, incrementS) => times(ticks, incrementS) },
        { ...axis, size: 80, values: (_u, ticks) => ticks.map((tick) => `${number.format(tick)} ${data.unit}`) },
      ],
      series: [
        // The legend's time, in the page's language too.
        { value: (_u: uPlot, v: number | null) => (v === null ? '–' : when.format(new Date(v * 1000))) },
        ...data.series.map((series, i) => {
          const colour = COLOURS[i % COLOURS.length]!;
          return {
            label: series.label,
            stroke: colour,
            width: data.bars ? 1 : 2,
            fill: data.bars ? `${colour}cc` : undefined,
            paths: bars,
            // A line needs two neighbouring values: sparse data (a day just begun) shows as dots.
            points: { show: !data.bars && series.values.filter((v) => v !== null).length < 60, size: 6 },
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${number.format(v)} ${data.unit}`),
          };
        }),
      ],
    },
    [data.x, ...data.series.map((series) => series.values)] as uPlot.AlignedData,
    container,
  );
  const observer = new ResizeObserver(() => chart.setSize({ width: width(), height: height() }));
  observer.observe(container);
  return {
    chart,
    destroy: () => {
      observer.disconnect();
      chart.destroy();
    },
  };
}
