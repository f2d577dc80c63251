// The html report of a sweep: one self-contained file (Chart.js inlined, data inlined, no network) with
// - per metric, percentiles across grid points and the empirical CDF of every grid point overlaid;
// - per grid point, a histogram of every metric that varied there (a constant or absent one has nothing to plot);
// - the summary tables, the runs with violations and the statistics method.
// The chart configurations are built here as plain JSON (deterministic, testable); the page's own script only
// hands each one to Chart.js. Chart.js's source is passed in by the caller (read from node_modules by the
// node-only CLI), so this module stays browser-safe.
import { pointCount, pointLabel } from './grid';
import { formatDurationUs } from '../sim/time';
import { summaryCells } from './format-value';
import type { MetricDef, MetricSummary, PointResult, SweepResult } from './types';

/** A chart as Chart.js takes it, placed on the canvas with this id. */
export interface ChartSpec {
  readonly canvas: string;
  readonly config: {
    readonly type: 'bar' | 'line' | 'scatter';
    readonly data: unknown;
    readonly options: unknown;
  };
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const ECDF_MAX_POINTS = 400;
const HISTOGRAM_TARGET_BINS = 20;

function color(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

/** Values of one metric as plotted: seconds for durations, counts as they are. */
function plotted(metric: MetricDef, value: number): number {
  return metric.unit === 'ms' ? value / 1000 : value;
}

function axisTitle(metric: MetricDef): string {
  return metric.unit === 'ms' ? `${metric.label} (s)` : metric.label;
}

function presentValues(point: PointResult, metric: MetricDef): number[] {
  const samples = point.samples[metric.id] ?? [];
  const values: number[] = [];
  for (const v of samples) if (v !== null) values.push(plotted(metric, v));
  return values.sort((a, b) => a - b);
}

/** At most ECDF_MAX_POINTS (x, F(x)) points of the empirical CDF, always including the first and last. */
export function ecdfPoints(sorted: readonly number[]): Array<{ x: number; y: number }> {
  const n = sorted.length;
  if (n === 0) return [];
  const count = Math.min(n, ECDF_MAX_POINTS);
  const out: Array<{ x: number; y: number }> = [];
  for (let k = 0; k < count; k++) {
    const i = count === 1 ? n - 1 : Math.round((k * (n - 1)) / (count - 1));
    out.push({ x: sorted[i]!, y: Number(((i + 1) / n).toFixed(6)) });
  }
  return out;
}

export interface Histogram {
  readonly labels: string[];
  readonly counts: number[];
}

/** Bins of a "nice" width (1, 2 or 5 times a power of ten); integers get one bin each when the range is small. */
export function histogram(sorted: readonly number[], integer: boolean): Histogram {
  if (sorted.length === 0) return { labels: [], counts: [] };
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  if (integer && max - min <= 40) {
    const labels: string[] = [];
    const counts: number[] = [];
    for (let v = min; v <= max; v++) {
      labels.push(String(v));
      counts.push(0);
    }
    for (const v of sorted) counts[v - min]!++;
    return { labels, counts };
  }
  const raw = (max - min) / HISTOGRAM_TARGET_BINS;
  if (raw === 0) return { labels: [formatBin(min, 3)], counts: [sorted.length] };
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const start = Math.floor(min / step) * step;
  const bins = Math.floor((max - start) / step) + 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of sorted) counts[Math.min(bins - 1, Math.floor((v - start) / step))]!++;
  const labels = counts.map((_, i) => `${formatBin(start + i * step, decimals)}–${formatBin(start + (i + 1) * step, decimals)}`);
  return { labels, counts };
}

function formatBin(value: number, decimals: number): string {
  return value.toFixed(decimals);
}

function varying(summary: MetricSummary | undefined): boolean {
  return summary !== undefined && summary.n > 0 && summary.min !== summary.max;
}

const BASE_OPTIONS = { animation: false, responsive: true, maintainAspectRatio: false };

/** Every chart of the report, in page order. */
export function chartSpecs(result: SweepResult): ChartSpec[] {
  const specs: ChartSpec[] = [];
  const labels = result.points.map((p) => pointLabel(p.params));
  result.metrics.forEach((metric, m) => {
    // A metric that never applied, or took one value in every run, has nothing to plot (the table says it all).
    const varies = result.points.some((p) => varying(p.summary[metric.id])) || new Set(result.points.map((p) => p.summary[metric.id]?.min ?? null).filter((v) => v !== null)).size > 1;
    if (!varies) return;
    specs.push({
      canvas: `pct-${m}`,
      config: {
        type: 'line',
        data: {
          labels,
          datasets: (['p50', 'p90', 'p99', 'max'] as const).map((stat, i) => ({
            label: stat,
            borderColor: color(i),
            backgroundColor: color(i),
            data: result.points.map((p) => {
              const v = p.summary[metric.id]?.[stat] ?? null;
              return v === null ? null : plotted(metric, v);
            }),
          })),
        },
        options: {
          ...BASE_OPTIONS,
          plugins: { title: { display: true, text: `${metric.label}: percentiles per grid point` } },
          scales: { y: { title: { display: true, text: axisTitle(metric) } } },
        },
      },
    });
    specs.push({
      canvas: `ecdf-${m}`,
      config: {
        type: 'scatter',
        data: {
          datasets: result.points.map((p, i) => ({
            label: labels[i],
            borderColor: color(i),
            backgroundColor: color(i),
            showLine: true,
            stepped: true,
            pointRadius: 0,
            data: ecdfPoints(presentValues(p, metric)),
          })),
        },
        options: {
          ...BASE_OPTIONS,
          plugins: { title: { display: true, text: `${metric.label}: distribution (empirical CDF)` } },
          scales: {
            x: { type: 'linear', title: { display: true, text: axisTitle(metric) } },
            y: { min: 0, max: 1, title: { display: true, text: 'fraction of runs' } },
          },
        },
      },
    });
  });
  result.points.forEach((point, pi) => {
    result.metrics.forEach((metric, m) => {
      if (!varying(point.summary[metric.id])) return;
      const values = presentValues(point, metric);
      const h = histogram(values, metric.unit === 'count');
      specs.push({
        canvas: `hist-${pi}-${m}`,
        config: {
          type: 'bar',
          data: { labels: h.labels, datasets: [{ label: 'runs', backgroundColor: color(pi), data: h.counts }] },
          options: {
            ...BASE_OPTIONS,
            plugins: { legend: { display: false }, title: { display: true, text: metric.label } },
            scales: { x: { title: { display: true, text: axisTitle(metric) } }, y: { beginAtZero: true, title: { display: true, text: 'runs' } } },
          },
        },
      });
    });
  });
  return specs;
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** JSON that is safe inside a <script> element (no `</script>`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c').replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029');
}

function summaryTable(result: SweepResult, metric: MetricDef): string {
  const rows = result.points.map((p) => {
    const s = p.summary[metric.id];
    if (s === undefined) return '';
    const cells = [
      pointLabel(p.params),
      ...summaryCells(s, metric.unit),
    ];
    return `<tr>${cells.map((c, i) => `<td${i === 0 ? ' class="param"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  const head = ['grid point', 'n', 'min', 'p50', 'p90', 'p99', 'max', 'mean', '95% CI of mean', 'max at seed'];
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { font-size: 1em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #eee; text-align: right; font-variant-numeric: tabular-nums; }
td.param, th:first-child { text-align: left; font-family: ui-monospace, monospace; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
.chart { position: relative; width: 560px; height: 300px; }
.small { position: relative; width: 360px; height: 220px; }
p.meta, code { font-size: 0.9em; }
`;

export interface HtmlOptions {
  /** The source of Chart.js's UMD build (chart.umd.min.js), inlined so the report opens offline. */
  readonly chartJsSource: string;
}

export function formatHtml(result: SweepResult, options: HtmlOptions): string {
  if (/<\/script/i.test(options.chartJsSource)) throw new Error('Chart.js source contains "</script": cannot inline it');
  const { spec } = result;
  const specs = chartSpecs(result);
  const canvases = new Set(specs.map((s) => s.canvas));
  const canvas = (id: string, cls: string): string => (canvases.has(id) ? `<div class="${cls}"><canvas id="${id}"></canvas></div>` : '');
  const title = `Sweep of ${spec.scenario.name}`;
  const body: string[] = [];
  body.push(`<h1>${escapeHtml(title)}</h1>`);
  body.push(
    `<p class="meta">Scenario <code>${escapeHtml(spec.scenario.file)}</code> (digest ${escapeHtml(spec.scenario.digest)}); ` +
      `${pointCount(spec)} grid points x ${spec.seeds} seeds (seeds ${spec.firstSeed}..${spec.firstSeed + spec.seeds - 1}), runs of ${formatDurationUs(Math.round(spec.scenario.durationMs * 1000))}; ` +
      `swept: ${spec.axes.map((a) => `<code>${escapeHtml(a.key)}</code> = ${escapeHtml(a.values.join(', '))}`).join('; ') || 'nothing'}.</p>`,
  );
  body.push(`<p class="meta">Statistics: ${escapeHtml(result.method)}.</p>`);
  body.push('<h2>Metrics across grid points</h2>');
  result.metrics.forEach((metric, m) => {
    body.push(`<h3 id="metric-${m}">${escapeHtml(metric.label)} <small>(${escapeHtml(metric.id)})</small></h3>`);
    body.push(`<p class="meta">${escapeHtml(metric.description)}</p>`);
    body.push(summaryTable(result, metric));
    body.push(`<div class="charts">${canvas(`pct-${m}`, 'chart')}${canvas(`ecdf-${m}`, 'chart')}</div>`);
  });
  body.push('<h2>Distributions per grid point</h2>');
  result.points.forEach((point, pi) => {
    body.push(`<h3 id="point-${pi}">${escapeHtml(pointLabel(point.params))}</h3>`);
    body.push(`<p class="meta">${point.runs} runs, ${point.violations.length} with violations, ${point.errors.length} failed.</p>`);
    if (point.violations.length > 0) {
      const items = point.violations.slice(0, 20).map((v) => `<li>seed ${v.seed}: ${escapeHtml(v.violations.join(', '))}</li>`);
      body.push(`<ul>${items.join('')}${point.violations.length > 20 ? `<li>... ${point.violations.length - 20} more</li>` : ''}</ul>`);
    }
    if (point.errors.length > 0) {
      const items = point.errors.slice(0, 20).map((e) => `<li>seed ${e.seed} failed: ${escapeHtml(e.message)}</li>`);
      body.push(`<ul>${items.join('')}${point.errors.length > 20 ? `<li>... ${point.errors.length - 20} more</li>` : ''}</ul>`);
    }
    body.push(`<div class="charts">${result.metrics.map((_, m) => canvas(`hist-${pi}-${m}`, 'small')).join('')}</div>`);
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    `<script>${options.chartJsSource}</script>`,
    '</head>',
    '<body>',
    ...body,
    `<script type="application/json" id="sweep-charts">${scriptJson(specs)}</script>`,
    '<script>',
    '(function () {',
    "  var specs = JSON.parse(document.getElementById('sweep-charts').textContent);",
    '  for (var i = 0; i < specs.length; i++) {',
    '    new Chart(document.getElementById(specs[i].canvas), specs[i].config);',
    '  }',
    "  document.body.setAttribute('data-charts-rendered', String(specs.length));",
    '})();',
    '</script>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
