// Evaluates a scenario's expectations against a finished run: each gets a one-line description of what was
// expected and a one-line account of what was observed.
import type { Violation } from '../sim/engine';
import { formatDurationUs, formatSimTime } from '../sim/time';
import type { Expectation } from '../scenario/types';
import { actingAt, actingDuring, actingThrough, firstLeadingAtOrAfter } from './intervals';
import { metricValue } from './metrics';
import type { ExpectationResult, InspectionOutput, LeaderInterval, Leaders, RunMetrics } from './result';

const t = formatSimTime;
const d = formatDurationUs;
/** A measured duration: seconds with millisecond precision. */
const m = (us: number): string => `${(us / 1e6).toFixed(3)}s`;

export function describeExpectation(e: Expectation): string {
  switch (e.type) {
    case 'leader':
      return `${e.lease} has an acting leader${e.host ? ` on ${e.host}` : ''} at t=${t(e.atUs)}`;
    case 'failover':
      return `a new acting leader of ${e.lease}${e.host ? ` on ${e.host}` : ''} within ${d(e.withinUs)} of t=${t(e.afterUs)}${e.notBeforeUs !== null ? ` (not before ${d(e.notBeforeUs)})` : ''}`;
    case 'no-leader':
      return `nobody acts as leader of ${e.lease} from t=${t(e.fromUs)} to t=${t(e.toUs)}`;
    case 'etcd-leader':
      return `etcd has a leader within ${d(e.withinUs)} of t=${t(e.afterUs)}`;
    case 'no-etcd-leader':
      return `etcd has no leader from t=${t(e.fromUs)} to t=${t(e.toUs)}`;
    case 'etcd-failover':
      return `another etcd member leads within ${d(e.withinUs)} of t=${t(e.afterUs)}${e.notBeforeUs !== null ? ` (not before ${d(e.notBeforeUs)})` : ''}`;
    case 'metric': {
      const show = (v: number): string => (e.unit === 'us' ? d(v) : String(v));
      const parts = [e.min !== null ? `>= ${show(e.min)}` : null, e.max !== null ? `<= ${show(e.max)}` : null].filter((x) => x !== null);
      return `metric ${e.metric} ${parts.join(' and ')}`;
    }
    case 'violation':
      return `invariant ${e.invariant} is violated${e.withinUs !== null ? ` by t=${t(e.withinUs)}` : ''}`;
    case 'no-violation':
      return e.invariant === null ? 'no invariant is violated' : `invariant ${e.invariant} holds`;
    case 'api-unavailable': {
      const parts = [e.minUs !== null ? `>= ${d(e.minUs)}` : null, e.maxUs !== null ? `<= ${d(e.maxUs)}` : null].filter((x) => x !== null);
      return `API unavailability through the load balancer ${parts.join(' and ')}`;
    }
    case 'restarts': {
      const parts = [e.min !== null ? `>= ${e.min}` : null, e.max !== null ? `<= ${e.max}` : null].filter((x) => x !== null);
      return `${e.host}/${e.process} restarts ${parts.join(' and ')} times`;
    }
    case 'output':
      return `output of step ${e.step}${e.contains !== null ? ` contains ${JSON.stringify(e.contains)}` : ''}${e.contains !== null && e.notContains !== null ? ' and' : ''}${e.notContains !== null ? ` does not contain ${JSON.stringify(e.notContains)}` : ''}`;
  }
}

function who(i: LeaderInterval): string {
  return i.holder === i.host ? i.host : `${i.host} (${i.holder})`;
}

export interface EvaluationInput {
  readonly leaders: Leaders;
  readonly violations: readonly Violation[];
  readonly metrics: RunMetrics;
  readonly inspections: readonly InspectionOutput[];
  readonly endUs: number;
}

export function evaluate(e: Expectation, input: EvaluationInput): ExpectationResult {
  const { leaders, endUs } = input;
  const result = (passed: boolean, detail: string): ExpectationResult => ({ expectation: e, description: describeExpectation(e), passed, detail });
  const leaseIntervals = (lease: string): readonly LeaderInterval[] => leaders.leases[lease] ?? [];
  switch (e.type) {
    case 'leader': {
      if (e.atUs > endUs) return result(false, `the run ended at t=${t(endUs)}, before t=${t(e.atUs)}`);
      const now = actingAt(leaseIntervals(e.lease), e.atUs, endUs);
      const match = now.filter((i) => e.host === null || i.host === e.host);
      if (now.length === 0) return result(false, `nobody acts as leader at t=${t(e.atUs)}`);
      return result(match.length > 0, `${now.map(who).join(' and ')} acts as leader at t=${t(e.atUs)}`);
    }
    case 'failover': {
      const intervals = leaseIntervals(e.lease);
      const before = new Set(actingThrough(intervals, e.afterUs, endUs).map((i) => i.holder));
      const next = intervals.filter((i) => i.fromUs >= e.afterUs && !before.has(i.holder)).sort((a, b) => a.fromUs - b.fromUs)[0];
      if (next === undefined) return result(false, `no new acting leader by the end of the run (t=${t(endUs)})`);
      const gapUs = next.fromUs - e.afterUs;
      const ok = gapUs <= e.withinUs && (e.notBeforeUs === null || gapUs >= e.notBeforeUs) && (e.host === null || next.host === e.host);
      return result(ok, `${who(next)} acts as leader from t=${t(next.fromUs)}, ${m(gapUs)} after t=${t(e.afterUs)}`);
    }
    case 'no-leader': {
      const during = actingDuring(leaseIntervals(e.lease), e.fromUs, e.toUs, endUs);
      return result(during.length === 0, during.length === 0 ? 'nobody acted as leader' : `${during.map((i) => `${who(i)} from t=${t(i.fromUs)}`).join(', ')}`);
    }
    case 'etcd-leader': {
      const at = firstLeadingAtOrAfter(leaders.etcd, e.afterUs, endUs);
      if (at === null) return result(false, `etcd had no leader after t=${t(e.afterUs)} until the end of the run (t=${t(endUs)})`);
      const leader = actingAt(leaders.etcd, at, endUs)[0]!;
      const term = 'term' in leader ? ` (term ${String((leader as { term: number }).term)})` : '';
      return result(at - e.afterUs <= e.withinUs, `${leader.host} leads etcd${term} from t=${t(at)}, ${m(at - e.afterUs)} after t=${t(e.afterUs)}`);
    }
    case 'etcd-failover': {
      const before = new Set(actingThrough(leaders.etcd, e.afterUs, endUs).map((i) => i.holder));
      const next = leaders.etcd.filter((i) => i.fromUs >= e.afterUs && !before.has(i.holder)).sort((a, b) => a.fromUs - b.fromUs)[0];
      if (next === undefined) return result(false, `no other member led etcd after t=${t(e.afterUs)} (the run ended at t=${t(endUs)})`);
      const gapUs = next.fromUs - e.afterUs;
      const ok = gapUs <= e.withinUs && (e.notBeforeUs === null || gapUs >= e.notBeforeUs);
      return result(ok, `${next.host} leads etcd${'term' in next ? ` (term ${String((next as { term: number }).term)})` : ''} from t=${t(next.fromUs)}, ${m(gapUs)} after t=${t(e.afterUs)}`);
    }
    case 'metric': {
      const v = metricValue(input.metrics, e.metric);
      if (v === null) return result(false, `metric ${e.metric} was not measured in this run`);
      const ok = (e.min === null || v >= e.min) && (e.max === null || v <= e.max);
      return result(ok, `${e.metric} = ${e.unit === 'us' ? m(v) : String(v)}`);
    }
    case 'no-etcd-leader': {
      const during = actingDuring(leaders.etcd, e.fromUs, e.toUs, endUs);
      return result(during.length === 0, during.length === 0 ? 'etcd had no leader' : `${during.map((i) => `${i.host} led from t=${t(i.fromUs)}`).join(', ')}`);
    }
    case 'violation': {
      const v = input.violations.find((x) => x.invariant === e.invariant);
      if (v === undefined) {
        const others = input.violations.map((x) => x.invariant);
        return result(false, `not violated${others.length > 0 ? ` (violated instead: ${others.join(', ')})` : ''}`);
      }
      return result(e.withinUs === null || v.timeUs <= e.withinUs, `violated at t=${t(v.timeUs)}: ${v.message}`);
    }
    case 'no-violation': {
      const bad = input.violations.filter((x) => e.invariant === null || x.invariant === e.invariant);
      return result(bad.length === 0, bad.length === 0 ? 'held' : bad.map((v) => `${v.invariant} violated at t=${t(v.timeUs)}`).join('; '));
    }
    case 'api-unavailable': {
      const us = input.metrics.apiUnavailableUs;
      if (us === null) return result(false, 'API availability was not measured in this run');
      const ok = (e.maxUs === null || us <= e.maxUs) && (e.minUs === null || us >= e.minUs);
      return result(ok, `unavailable for ${m(us)}`);
    }
    case 'restarts': {
      const n = input.metrics.restarts[`${e.host}/${e.process}`] ?? 0;
      const ok = (e.min === null || n >= e.min) && (e.max === null || n <= e.max);
      return result(ok, `restarted ${n} time${n === 1 ? '' : 's'}`);
    }
    case 'output': {
      const step = input.inspections.find((i) => i.name === e.step);
      if (step === undefined) return result(false, `step ${e.step} did not run (the run ended at t=${t(endUs)})`);
      const okContains = e.contains === null || step.output.includes(e.contains);
      const okNot = e.notContains === null || !step.output.includes(e.notContains);
      const firstLine = step.output.split('\n').find((l) => l.trim() !== '') ?? '';
      return result(okContains && okNot, `${okContains ? '' : 'text not found; '}${okNot ? '' : 'unwanted text found; '}output begins: ${JSON.stringify(firstLine.slice(0, 100))}`);
    }
  }
}
