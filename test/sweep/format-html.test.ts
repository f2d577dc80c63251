import { describe, expect, it } from 'vitest';
import { chartJsSource } from '../../src/cli/sweep/assets';
import { aggregate } from '../../src/sweep/aggregate';
import { chartSpecs, ecdfPoints, formatHtml, histogram, scriptJson } from '../../src/sweep/format-html';
import type { SweepSpec } from '../../src/sweep/types';
import { FAKE_METRICS } from './fake-runner';
import { fakeRuns, fakeSpec, LEASE } from './helpers';
import { loadReport } from './html-dom';

describe('html report', () => {
  const spec = fakeSpec(60, ['15s', '30s', '60s']);
  const result = aggregate(spec, FAKE_METRICS, fakeRuns(spec, { violationSeeds: [4] }));
  const html = formatHtml(result, { chartJsSource: chartJsSource() });
  const loaded = loadReport(html);

  it('renders: Chart.js runs from the inlined source and draws every chart, without a script error', () => {
    const { dom, errors, drawCalls, texts } = loaded;
    expect(errors).toEqual([]);
    const document = dom.window.document;
    const canvases = [...document.querySelectorAll('canvas')].map((c) => c.id);
    // 4 metrics x (percentiles + CDF) + 3 points x 4 metrics of histograms.
    expect(canvases).toHaveLength(20);
    expect(document.body.getAttribute('data-charts-rendered')).toBe('20');
    const chart = (dom.window as unknown as { Chart: { getChart(id: string): { data: { datasets: Array<{ data: unknown[] }> } } | undefined } }).Chart;
    for (const id of canvases) {
      expect(chart.getChart(id), id).toBeDefined();
      expect(drawCalls.get(id) ?? 0, id).toBeGreaterThan(20);
    }
    // The distribution of each grid point is there: legend entries name the points, axes carry units.
    expect(texts.get('ecdf-0')).toEqual(expect.arrayContaining([`${LEASE}=15s`, `${LEASE}=60s`, 'fail-over kube-scheduler (s)', 'fraction of runs']));
    expect(texts.get('hist-2-0')).toContain('fail-over kube-scheduler');
    // Histogram bars add up to the runs where the metric applied.
    for (let pi = 0; pi < 3; pi++) {
      const bars = chart.getChart(`hist-${pi}-0`)!.data.datasets[0]!.data as number[];
      expect(bars.reduce((a, b) => a + b, 0)).toBe(result.points[pi]!.summary['failover:kube-system/kube-scheduler']!.n);
    }
  });

  it('is self-contained: nothing is loaded from elsewhere', () => {
    const { dom } = loaded;
    const document = dom.window.document;
    expect(document.querySelectorAll('script[src], link[href], img[src], iframe, object, embed')).toHaveLength(0);
    expect(html).toContain('Chart.js v4');
  });

  it('shows the summary tables, the runs with violations and the method', () => {
    const { dom } = loaded;
    const text = dom.window.document.body.textContent ?? '';
    expect(text).toContain('seed 4: lease-exclusivity');
    expect(text).toContain('percentiles by nearest rank');
    const firstRow = [...dom.window.document.querySelectorAll('table')[0]!.querySelectorAll('tbody tr')[0]!.querySelectorAll('td')].map((td) => td.textContent);
    const s = result.points[0]!.summary['failover:kube-system/kube-scheduler']!;
    expect(firstRow[0]).toBe(`${LEASE}=15s`);
    expect(firstRow[1]).toBe(String(s.n));
    expect(firstRow[3]).toBe(`${(s.p50! / 1000).toFixed(3)}s`);
  });

  it('escapes what it embeds: a value with </script> cannot break out of the page', () => {
    const nasty: SweepSpec = { ...spec, axes: [{ key: LEASE, values: ['15s'] }], seeds: 5, scenario: { ...spec.scenario, name: '<b>x</b></script><script>window.pwned=1</script>' } };
    const page = formatHtml(aggregate(nasty, FAKE_METRICS, fakeRuns(nasty)), { chartJsSource: chartJsSource() });
    const { dom, errors } = loadReport(page);
    expect(errors).toEqual([]);
    expect((dom.window as unknown as { pwned?: number }).pwned).toBeUndefined();
    expect(dom.window.document.querySelector('h1')!.textContent).toBe('Sweep of <b>x</b></script><script>window.pwned=1</script>');
    expect(scriptJson({ a: '</script>' })).toBe('{"a":"\\u003c/script>"}');
  });

  it('histogram bins have 1-2-5 widths; small integer ranges get a bin per value', () => {
    expect(histogram([0, 1, 1, 3], true)).toEqual({ labels: ['0', '1', '2', '3'], counts: [1, 2, 0, 1] });
    const h = histogram([15.2, 15.9, 16.4, 17.0, 19.9], false);
    expect(h.labels[0]).toBe('15.0–15.5');
    expect(h.labels).toHaveLength(10);
    expect(h.counts).toEqual([1, 1, 1, 0, 1, 0, 0, 0, 0, 1]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(histogram([2, 2], false)).toEqual({ labels: ['2.000'], counts: [2] });
  });

  it('the empirical CDF keeps the extremes and ends at 1, at most 400 points', () => {
    const sorted = Array.from({ length: 1000 }, (_, i) => i);
    const points = ecdfPoints(sorted);
    expect(points).toHaveLength(400);
    expect(points[0]).toEqual({ x: 0, y: 0.001 });
    expect(points[399]).toEqual({ x: 999, y: 1 });
    expect(ecdfPoints([5])).toEqual([{ x: 5, y: 1 }]);
  });

  it('a metric constant in every run gets no charts; one constant at a point gets no histogram there', () => {
    const constant = (v: number | null) => ({ ...result, points: result.points.map((p) => ({ ...p, summary: { ...p.summary, restarts: { ...p.summary['restarts']!, min: v, max: v } } })) });
    expect(chartSpecs(constant(0)).map((s) => s.canvas)).not.toContain('pct-2');
    expect(chartSpecs(constant(0)).map((s) => s.canvas)).not.toContain('hist-1-2');
    // Constant within each point but different between points: the comparison charts stay.
    const stepped = { ...result, points: result.points.map((p, i) => ({ ...p, summary: { ...p.summary, restarts: { ...p.summary['restarts']!, min: i, max: i } } })) };
    expect(chartSpecs(stepped).map((s) => s.canvas)).toEqual(expect.arrayContaining(['pct-2', 'ecdf-2']));
    expect(chartSpecs(stepped).map((s) => s.canvas)).not.toContain('hist-0-2');
  });

  it('a metric that never applied gets no charts', () => {
    const specs = chartSpecs({ ...result, points: result.points.map((p) => ({ ...p, summary: { ...p.summary, restarts: { ...p.summary['restarts']!, n: 0 } }, samples: { ...p.samples, restarts: p.samples['restarts']!.map(() => null) } })) });
    expect(specs.map((s) => s.canvas)).not.toContain('pct-2');
    expect(specs.map((s) => s.canvas)).not.toContain('hist-0-2');
  });
});
