// Baseline gating: compare a sweep with a saved result and list what got worse beyond a relative tolerance.
//
// Pairing: grid points pair by position in the grid (the k-th point of this sweep with the k-th of the
// baseline), so a candidate parameter set can be gated against the set it replaces; both sweeps must have the
// same number of grid points. Paired points whose parameters differ are shown side by side.
// Rule: every metric is lower-is-better; for each paired point and each metric both report, each of p50, p90,
// p99 and the mean regresses when current > baseline x (1 + tolerance). A metric that never applied in the
// baseline but now does (say, a fail-over that now happens) is a regression too; so are more failed runs.
import { pointLabel } from './grid';
import { formatPercent, formatValue } from './format-value';
import { SweepInputError } from './parameters';
import type { MetricDef, MetricSummary, SweepResult } from './types';

export const GATED_STATISTICS = ['p50', 'p90', 'p99', 'mean'] as const;
export type GatedStatistic = (typeof GATED_STATISTICS)[number];

export const DEFAULT_TOLERANCE = 0.05;

export interface Regression {
  readonly pointIndex: number;
  readonly metric: string;
  readonly statistic: GatedStatistic | 'applies' | 'errors';
  readonly baseline: number | null;
  readonly current: number | null;
}

export interface BaselineComparison {
  readonly tolerance: number;
  readonly regressions: readonly Regression[];
  /** Things the reader should know that are not regressions (other scenario, metrics only on one side...). */
  readonly notes: readonly string[];
  /** Human-readable report, one line per finding. */
  readonly text: string;
}

/** Parses `--tolerance`: a fraction (`0.05`) or a percentage (`5%`), not negative. */
export function parseTolerance(text: string): number {
  const trimmed = text.trim();
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(trimmed);
  if (match === null) throw new SweepInputError(`--tolerance ${JSON.stringify(text)}: expected a fraction (0.05) or a percentage (5%)`);
  const value = Number(match[1]);
  return match[2] === '%' ? value / 100 : value;
}

function worse(current: number, baseline: number, tolerance: number): boolean {
  return current > baseline * (1 + tolerance) && current > baseline;
}

export function compareWithBaseline(current: SweepResult, baseline: SweepResult, tolerance: number): BaselineComparison {
  if (!(tolerance >= 0)) throw new SweepInputError(`--tolerance must not be negative, got ${tolerance}`);
  if (current.points.length !== baseline.points.length) {
    throw new SweepInputError(
      `baseline has ${baseline.points.length} grid points, this sweep ${current.points.length}: grid points pair by position, so the grids must have the same shape`,
    );
  }
  const notes: string[] = [];
  if (current.spec.scenario.digest !== baseline.spec.scenario.digest) {
    notes.push(`the scenario differs from the baseline's (${baseline.spec.scenario.name} digest ${baseline.spec.scenario.digest}, now ${current.spec.scenario.name} digest ${current.spec.scenario.digest})`);
  }
  if (current.spec.seeds !== baseline.spec.seeds || current.spec.firstSeed !== baseline.spec.firstSeed) {
    notes.push(`seeds differ: baseline ${describeSeeds(baseline)}, now ${describeSeeds(current)}`);
  }
  const baselineMetrics = new Map(baseline.metrics.map((m) => [m.id, m]));
  const currentIds = new Set(current.metrics.map((m) => m.id));
  const compared: MetricDef[] = current.metrics.filter((m) => baselineMetrics.has(m.id));
  for (const m of current.metrics) if (!baselineMetrics.has(m.id)) notes.push(`metric ${m.id} is new (not in the baseline): not compared`);
  for (const m of baseline.metrics) if (!currentIds.has(m.id)) notes.push(`metric ${m.id} is in the baseline only: not compared`);

  const regressions: Regression[] = [];
  const lines: string[] = [];
  current.points.forEach((point, pointIndex) => {
    const base = baseline.points[pointIndex]!;
    const found: string[] = [];
    if (point.errors.length > base.errors.length) {
      regressions.push({ pointIndex, metric: '(runs)', statistic: 'errors', baseline: base.errors.length, current: point.errors.length });
      found.push(`    failed runs ${base.errors.length} -> ${point.errors.length}`);
    }
    for (const metric of compared) {
      const cur = point.summary[metric.id];
      const old = base.summary[metric.id];
      if (cur === undefined || old === undefined) continue;
      if (old.n === 0 && cur.n > 0) {
        regressions.push({ pointIndex, metric: metric.id, statistic: 'applies', baseline: 0, current: cur.n });
        found.push(`    ${metric.label}: never applied in the baseline, now in ${cur.n} runs (p50 ${formatValue(cur.p50, metric.unit)})`);
        continue;
      }
      for (const stat of GATED_STATISTICS) {
        const c = statistic(cur, stat);
        const b = statistic(old, stat);
        if (c === null || b === null || !worse(c, b, tolerance)) continue;
        regressions.push({ pointIndex, metric: metric.id, statistic: stat, baseline: b, current: c });
        const change = b === 0 ? 'from zero' : formatPercent(c / b - 1);
        found.push(`    ${metric.label} ${stat}: ${formatValue(b, metric.unit, stat === 'mean')} -> ${formatValue(c, metric.unit, stat === 'mean')} (${change})`);
      }
    }
    if (found.length > 0) {
      const label = pointLabel(point.params);
      const baseLabel = pointLabel(base.params);
      lines.push(`  ${label}${baseLabel !== label ? ` (baseline: ${baseLabel})` : ''}`, ...found);
    }
  });
  const header =
    regressions.length === 0
      ? `baseline: no regression beyond ${formatTolerance(tolerance)} (${current.points.length} grid points, ${compared.length} metrics, statistics ${GATED_STATISTICS.join('/')})`
      : `baseline: ${regressions.length} regression${regressions.length === 1 ? '' : 's'} beyond ${formatTolerance(tolerance)}:`;
  const text = [header, ...lines, ...notes.map((n) => `  note: ${n}`)].join('\n');
  return { tolerance, regressions, notes, text };
}

function statistic(summary: MetricSummary, stat: GatedStatistic): number | null {
  switch (stat) {
    case 'p50':
      return summary.p50;
    case 'p90':
      return summary.p90;
    case 'p99':
      return summary.p99;
    case 'mean':
      return summary.mean;
  }
}

function describeSeeds(result: SweepResult): string {
  return `${result.spec.firstSeed}..${result.spec.firstSeed + result.spec.seeds - 1}`;
}

function formatTolerance(tolerance: number): string {
  return `${Number((tolerance * 100).toFixed(4))}%`;
}
