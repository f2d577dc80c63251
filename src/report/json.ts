// The json output of `kube-ha-sim run --output json`: the RunResult with times in milliseconds (fields end in Ms),
// faults flattened with their action and target. The schema is documented in docs/json-output.md and checked by
// test/report/json.test.ts; bump JSON_REPORT_VERSION on any incompatible change.
import type { Violation } from '../sim/engine';
import { describeFault, faultTarget, type Fault } from '../sim/faults';
import type { ExpectationResult, InspectionOutput, LeaderInterval, RunResult } from '../run/result';

export const JSON_REPORT_VERSION = 'kube-ha-sim/v1';

const ms = (us: number): number => us / 1000;
const msOrNull = (us: number | null): number | null => (us === null ? null : us / 1000);

/** Converts `...Us` fields to `...Ms` (recursively, for latency distributions too); `us` becomes `ms`. */
function msFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(msFields);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'number' && k === 'us') out.ms = ms(v);
    else if (typeof v === 'number' && k.endsWith('Us')) out[`${k.slice(0, -2)}Ms`] = ms(v);
    else out[k] = msFields(v);
  }
  return out;
}

export interface JsonFault {
  readonly atMs: number;
  readonly action: Fault['kind'];
  readonly target: string;
  /** One line, as the timeline prints it. */
  readonly detail: string;
  readonly [param: string]: unknown;
}

function jsonFault(atUs: number, fault: Fault): JsonFault {
  const { kind, ...params } = fault;
  return { atMs: ms(atUs), action: kind, target: faultTarget(fault), detail: describeFault(fault), ...(msFields(params) as Record<string, unknown>) };
}

function jsonInterval(i: LeaderInterval): Record<string, unknown> {
  const base: Record<string, unknown> = { holder: i.holder, host: i.host, fromMs: ms(i.fromUs), toMs: msOrNull(i.toUs) };
  if ('term' in i) base.term = (i as { term: number }).term;
  return base;
}

function jsonViolation(v: Violation): Record<string, unknown> {
  return { invariant: v.invariant, message: v.message, hosts: v.hosts, atMs: ms(v.timeUs), event: v.event, seed: v.seed, replay: v.replay };
}

function jsonExpectation(e: ExpectationResult): Record<string, unknown> {
  return { type: e.expectation.type, description: e.description, passed: e.passed, detail: e.detail };
}

function jsonInspection(i: InspectionOutput): Record<string, unknown> {
  return { atMs: ms(i.atUs), name: i.name, on: i.on, exec: i.exec, exitCode: i.exitCode, output: i.output };
}

export function toJsonReport(result: RunResult): Record<string, unknown> {
  const leaders: Record<string, unknown> = { etcd: result.leaders.etcd.map(jsonInterval) };
  for (const [lease, intervals] of Object.entries(result.leaders.leases)) leaders[lease] = intervals.map(jsonInterval);
  const m = result.metrics;
  return {
    apiVersion: JSON_REPORT_VERSION,
    kind: 'RunReport',
    scenario: result.scenario,
    file: result.file,
    seed: result.seed,
    durationMs: ms(result.untilUs),
    endMs: ms(result.endUs),
    stopReason: result.stopReason,
    outcome: result.outcome,
    events: result.events,
    faults: result.faults.applied.map((s) => jsonFault(s.atUs, s.fault)),
    plannedFaults: result.faults.planned.map((s) => jsonFault(s.atUs, s.fault)),
    skippedFaults: result.faults.skipped.map((s) => ({ ...jsonFault(s.atUs, s.fault), reason: s.reason })),
    violations: result.violations.map(jsonViolation),
    leaders,
    expectations: result.expectations.map(jsonExpectation),
    metrics: {
      failovers: m.failovers.map((f) => ({
        lease: f.lease,
        cause: f.cause,
        causeAtMs: ms(f.causeAtUs),
        fromHolder: f.fromHolder,
        fromHost: f.fromHost,
        toHolder: f.toHolder,
        toHost: f.toHost,
        gapMs: msOrNull(f.gapUs),
      })),
      leaderlessMs: Object.fromEntries(Object.entries(m.leaderlessUs).map(([k, v]) => [k, ms(v)])),
      leaderChanges: m.leaderChanges,
      etcdLeaderlessMs: ms(m.etcdLeaderlessUs),
      etcdLeaderChanges: m.etcdLeaderChanges,
      apiUnavailableMs: msOrNull(m.apiUnavailableUs),
      restarts: m.restarts,
      schedulingDelaysMs: m.schedulingDelaysUs.map(ms),
      unscheduledPods: m.unscheduledPods,
      lbSessions: m.lbSessions,
    },
    inspections: result.inspections.map(jsonInspection),
    replay: result.replay,
  };
}

export function renderJson(result: RunResult): string {
  return `${JSON.stringify(toJsonReport(result), null, 2)}\n`;
}
