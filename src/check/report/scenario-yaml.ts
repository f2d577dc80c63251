// Writes a fault plan as a scenario file (kube-ha-sim/v1 Scenario) that `kube-ha-sim run` replays: the base
// scenario's document with its seed, duration and fault timeline replaced, and (optionally) an expectation that
// the invariant found violated is violated -- so the file documents what it demonstrates.
import { stringify } from 'yaml';
import type { Fault, FaultPlan } from '../../sim/faults';
import { formatDurationUs } from '../../sim/time';
import { isLeaderRef, LEADER_REF_PREFIX, type Scenario } from '../../scenario/types';

type RawTarget = string | { leaderOf: string; process?: string };

function target(host: string, process?: string): RawTarget {
  if (isLeaderRef(host)) {
    const leaderOf = host.slice(LEADER_REF_PREFIX.length);
    return process === undefined ? { leaderOf } : { leaderOf, process };
  }
  return process === undefined ? host : `${host}/${process}`;
}

const d = formatDurationUs;

/** One fault step in the scenario file's syntax (`action`, `target`, durations as Go strings). */
export function rawFault(atUs: number, fault: Fault): Record<string, unknown> {
  const at = d(atUs);
  switch (fault.kind) {
    case 'crash':
    case 'start':
    case 'resume':
      return { at, action: fault.kind, target: target(fault.host, fault.process) };
    case 'restart':
      return { at, action: 'restart', target: target(fault.host, fault.process), ...(fault.downUs !== undefined ? { down: d(fault.downUs) } : {}) };
    case 'stop':
      return { at, action: 'stop', target: target(fault.host, fault.process), ...(fault.graceUs !== undefined ? { grace: d(fault.graceUs) } : {}) };
    case 'pause':
      return { at, action: 'pause', target: target(fault.host, fault.process), ...(fault.durationUs !== undefined ? { duration: d(fault.durationUs) } : {}) };
    case 'partition':
      return { at, action: 'partition', groups: fault.groups.map((g) => g.map((h) => target(h))) };
    case 'isolate':
      return { at, action: 'isolate', target: target(fault.host) };
    case 'cut':
      return { at, action: 'cut', from: target(fault.from), to: target(fault.to) };
    case 'heal':
      return fault.host === undefined ? { at, action: 'heal' } : { at, action: 'heal', target: target(fault.host) };
    case 'link': {
      const ends = { from: fault.from, to: fault.to };
      const only = Object.keys(fault).filter((k) => !['kind', 'from', 'to'].includes(k));
      if (only.length === 1 && fault.lossRate !== undefined) return { at, action: 'loss', ...ends, rate: fault.lossRate };
      if (only.length === 1 && fault.latency !== undefined && fault.latency.kind === 'constant') return { at, action: 'delay', ...ends, latency: d(fault.latency.us) };
      const raw: Record<string, unknown> = { at, action: 'link', ...ends };
      if (fault.lossRate !== undefined) raw.loss = fault.lossRate;
      if (fault.duplicateRate !== undefined) raw.duplicate = fault.duplicateRate;
      if (fault.reorderRate !== undefined) raw.reorder = fault.reorderRate;
      if (fault.latency !== undefined) raw.latency = rawLatency(fault.latency);
      if (fault.reorderDelay !== undefined) raw.reorderDelay = rawLatency(fault.reorderDelay);
      return raw;
    }
    case 'clear-link':
      return { at, action: 'clear-link', ...(fault.from !== undefined ? { from: fault.from } : {}), ...(fault.to !== undefined ? { to: fault.to } : {}) };
    case 'clock-skew':
      return { at, action: 'clock-skew', target: target(fault.host), offset: d(fault.offsetUs) };
    case 'clock-jump':
      return { at, action: 'clock-jump', target: target(fault.host), by: d(fault.deltaUs), ...(fault.monotonic ? { monotonic: true } : {}) };
    case 'clock-drift':
      return { at, action: 'clock-drift', target: target(fault.host), ppm: fault.driftPpm };
  }
}

function rawLatency(l: NonNullable<Extract<Fault, { kind: 'link' }>['latency']>): unknown {
  switch (l.kind) {
    case 'constant':
      return d(l.us);
    case 'uniform':
      return { distribution: 'uniform', min: d(l.minUs), max: d(l.maxUs) };
    case 'normal':
      return { distribution: 'normal', mean: d(l.meanUs), stddev: d(l.stddevUs), floor: d(l.floorUs) };
    case 'lognormal':
      return { distribution: 'lognormal', median: d(l.medianUs), sigma: l.sigma, floor: d(l.floorUs) };
  }
}

export interface CounterexampleScenario {
  readonly name: string;
  readonly description: string;
  readonly seed: string | number;
  readonly durationUs: number;
  readonly plan: FaultPlan;
  /** Adds `expectations: [{type: violation, invariant}]` when set. */
  readonly expectViolation?: string | null;
  /** Comment lines put at the top of the file (without '#'). */
  readonly header?: readonly string[];
}

/** The scenario file text for a counterexample, built on the base scenario's document. */
export function counterexampleYaml(base: Scenario, c: CounterexampleScenario): string {
  const doc = structuredClone((base.document ?? {}) as Record<string, unknown>);
  const metadata = { name: c.name, description: c.description.replace(/\n/g, ' ') };
  const oldSpec = (doc.spec ?? {}) as Record<string, unknown>;
  const { faults: _faults, expectations: _expectations, inspect: _inspect, seed: _seed, duration: _duration, ...rest } = oldSpec;
  const spec: Record<string, unknown> = {
    seed: typeof c.seed === 'number' ? c.seed : /^\d+$/.test(c.seed) && Number.isSafeInteger(Number(c.seed)) ? Number(c.seed) : c.seed,
    duration: d(c.durationUs),
    ...rest,
    faults: c.plan.map((step) => rawFault(step.atUs, step.fault)),
  };
  if (c.expectViolation) spec.expectations = [{ type: 'violation', invariant: c.expectViolation }];
  const out = { apiVersion: 'kube-ha-sim/v1', kind: 'Scenario', metadata, spec };
  const header = (c.header ?? []).map((l) => `# ${l}`.trimEnd()).join('\n');
  return `${header === '' ? '' : `${header}\n`}${stringify(out, { lineWidth: 0 })}`;
}
