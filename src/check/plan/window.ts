// A generated fault is a window: the fault and, where it has one, its end (restart after a downtime, resume,
// heal, link restored). Windows are what the generator draws and the shrinker removes or shortens; toFaultPlan
// flattens them into the engine's FaultStep data (src/sim/faults.ts), which is also what a scenario file holds.
import type { LatencyDist } from '../../sim/latency';
import type { FaultStep } from '../../sim/faults';
import { formatDurationUs, formatSimTime } from '../../sim/time';
import type { FaultClass } from './classes';
import type { ProcessTarget } from './targets';

export type PartitionShape =
  | { readonly type: 'isolate'; readonly host: string }
  | { readonly type: 'split'; readonly groups: readonly [readonly string[], readonly string[]] }
  | { readonly type: 'cut'; readonly from: string; readonly to: string }
  /** One-way isolation: nothing reaches `host` (inbound) or nothing leaves it (outbound); the other way still works. */
  | { readonly type: 'inbound' | 'outbound'; readonly host: string };

export type FaultWindow =
  /** SIGKILL (or host power-off), started again after downUs. */
  | { readonly kind: 'crash'; readonly atUs: number; readonly target: ProcessTarget; readonly downUs: number }
  | { readonly kind: 'pause'; readonly atUs: number; readonly target: ProcessTarget; readonly durationUs: number }
  /** Healed after durationUs (every cut is healed then: overlapping partition windows end together). */
  | { readonly kind: 'partition'; readonly atUs: number; readonly shape: PartitionShape; readonly durationUs: number }
  | { readonly kind: 'loss'; readonly atUs: number; readonly from: string; readonly to: string; readonly lossRate: number; readonly durationUs: number }
  | { readonly kind: 'delay'; readonly atUs: number; readonly from: string; readonly to: string; readonly latencyUs: number; readonly durationUs: number }
  /** A fraction of the datagrams is held back by an extra delay drawn uniformly in [0, maxDelayUs]. */
  | { readonly kind: 'reorder'; readonly atUs: number; readonly from: string; readonly to: string; readonly rate: number; readonly maxDelayUs: number; readonly durationUs: number }
  | { readonly kind: 'duplicate'; readonly atUs: number; readonly from: string; readonly to: string; readonly rate: number; readonly durationUs: number }
  /** Instant: the wall clock steps (and the monotonic clock, when `monotonic`). */
  | { readonly kind: 'clock-jump'; readonly atUs: number; readonly host: string; readonly deltaUs: number; readonly monotonic: boolean }
  /** Instant: the wall clock is set to true time + offset. */
  | { readonly kind: 'clock-skew'; readonly atUs: number; readonly host: string; readonly offsetUs: number }
  /** The host's clocks run fast/slow from atUs until the faults heal (the liveness phase resets every drift). */
  | { readonly kind: 'clock-drift'; readonly atUs: number; readonly host: string; readonly driftPpm: number };

export function windowClass(w: FaultWindow): FaultClass {
  return w.kind;
}

function target(t: ProcessTarget): { host: string; process?: string } {
  return t.process === undefined ? { host: t.host } : { host: t.host, process: t.process };
}

/**
 * The fault steps of a set of windows, every window ending by `endUs` (the end of the safety phase): downtimes,
 * pauses and durations are cut short there. Ordered by time (ties keep window order).
 */
export function toFaultPlan(windows: readonly FaultWindow[], endUs: number, hosts: readonly string[] = []): FaultStep[] {
  const steps: Array<FaultStep & { order: number }> = [];
  let order = 0;
  const add = (atUs: number, fault: FaultStep['fault']): void => {
    steps.push({ atUs, fault, order: order++ });
  };
  const until = (w: { atUs: number }, durationUs: number): number => Math.max(0, Math.min(durationUs, endUs - w.atUs));
  for (const w of windows) {
    if (w.atUs >= endUs) continue;
    switch (w.kind) {
      case 'crash':
        add(w.atUs, { kind: 'restart', ...target(w.target), downUs: until(w, w.downUs) });
        break;
      case 'pause':
        add(w.atUs, { kind: 'pause', ...target(w.target), durationUs: Math.max(1, until(w, w.durationUs)) });
        break;
      case 'partition': {
        const s = w.shape;
        if (s.type === 'isolate') add(w.atUs, { kind: 'isolate', host: s.host });
        else if (s.type === 'split') add(w.atUs, { kind: 'partition', groups: [[...s.groups[0]], [...s.groups[1]]] });
        else if (s.type === 'cut') add(w.atUs, { kind: 'cut', from: s.from, to: s.to });
        else {
          if (hosts.length === 0) throw new Error(`toFaultPlan: a one-way ${s.type} isolation needs the cluster's host names`);
          for (const other of hosts) {
            if (other === s.host) continue;
            add(w.atUs, s.type === 'inbound' ? { kind: 'cut', from: other, to: s.host } : { kind: 'cut', from: s.host, to: other });
          }
        }
        add(w.atUs + until(w, w.durationUs), { kind: 'heal' });
        break;
      }
      case 'loss':
        add(w.atUs, { kind: 'link', from: w.from, to: w.to, lossRate: w.lossRate });
        add(w.atUs + until(w, w.durationUs), { kind: 'clear-link', from: w.from, to: w.to });
        break;
      case 'delay': {
        const latency: LatencyDist = { kind: 'constant', us: w.latencyUs };
        add(w.atUs, { kind: 'link', from: w.from, to: w.to, latency });
        add(w.atUs + until(w, w.durationUs), { kind: 'clear-link', from: w.from, to: w.to });
        break;
      }
      case 'reorder':
        add(w.atUs, { kind: 'link', from: w.from, to: w.to, reorderRate: w.rate, reorderDelay: { kind: 'uniform', minUs: 0, maxUs: w.maxDelayUs } });
        add(w.atUs + until(w, w.durationUs), { kind: 'clear-link', from: w.from, to: w.to });
        break;
      case 'duplicate':
        add(w.atUs, { kind: 'link', from: w.from, to: w.to, duplicateRate: w.rate });
        add(w.atUs + until(w, w.durationUs), { kind: 'clear-link', from: w.from, to: w.to });
        break;
      case 'clock-jump':
        add(w.atUs, { kind: 'clock-jump', host: w.host, deltaUs: w.deltaUs, ...(w.monotonic ? { monotonic: true } : {}) });
        break;
      case 'clock-skew':
        add(w.atUs, { kind: 'clock-skew', host: w.host, offsetUs: w.offsetUs });
        break;
      case 'clock-drift':
        add(w.atUs, { kind: 'clock-drift', host: w.host, driftPpm: w.driftPpm });
        break;
    }
  }
  steps.sort((a, b) => a.atUs - b.atUs || a.order - b.order);
  return steps.map(({ atUs, fault }) => ({ atUs, fault }));
}

function showTarget(t: ProcessTarget): string {
  return t.process === undefined ? t.host : `${t.host}/${t.process}`;
}

/** One line per window, as `check` prints a plan. */
export function describeWindow(w: FaultWindow): string {
  const at = `t=${formatSimTime(w.atUs)}`;
  switch (w.kind) {
    case 'crash':
      return `${at} crash ${showTarget(w.target)}, restarted after ${formatDurationUs(w.downUs)}`;
    case 'pause':
      return `${at} pause ${showTarget(w.target)} for ${formatDurationUs(w.durationUs)}`;
    case 'partition': {
      const s = w.shape;
      const what =
        s.type === 'isolate'
          ? `isolate ${s.host}`
          : s.type === 'split'
            ? `partition {${s.groups[0].join(',')}} | {${s.groups[1].join(',')}}`
            : s.type === 'cut'
              ? `cut ${s.from} -> ${s.to}`
              : `cut everything ${s.type === 'inbound' ? 'to' : 'from'} ${s.host} (one way)`;
      return `${at} ${what} for ${formatDurationUs(w.durationUs)}`;
    }
    case 'loss':
      return `${at} loss ${w.lossRate} on ${w.from} -> ${w.to} for ${formatDurationUs(w.durationUs)}`;
    case 'delay':
      return `${at} delay ${formatDurationUs(w.latencyUs)} on ${w.from} -> ${w.to} for ${formatDurationUs(w.durationUs)}`;
    case 'reorder':
      return `${at} reorder ${w.rate} of datagrams by up to ${formatDurationUs(w.maxDelayUs)} on ${w.from} -> ${w.to} for ${formatDurationUs(w.durationUs)}`;
    case 'duplicate':
      return `${at} duplicate ${w.rate} of datagrams on ${w.from} -> ${w.to} for ${formatDurationUs(w.durationUs)}`;
    case 'clock-jump':
      return `${at} clock-jump ${w.host} ${w.deltaUs >= 0 ? '+' : ''}${formatDurationUs(w.deltaUs)}${w.monotonic ? ' (monotonic too)' : ''}`;
    case 'clock-skew':
      return `${at} clock-skew ${w.host} ${w.offsetUs >= 0 ? '+' : ''}${formatDurationUs(w.offsetUs)}`;
    case 'clock-drift':
      return `${at} clock-drift ${w.host} ${w.driftPpm}ppm`;
  }
}
