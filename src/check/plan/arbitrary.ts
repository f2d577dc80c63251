// fast-check arbitraries for fault plans, swarm-style (as TigerBeetle's VOPR): each run first draws its own
// options within the allowed fault classes -- which classes are on, how many faults, how long pauses and
// partitions may last, how large clock jumps and drifts may be, how often a fault aims at the current leader --
// then draws its fault windows from those. Diversity across runs comes from the options; a run is not a uniform
// mix of everything.
//
// Values are drawn on tidy grids (milliseconds, whole percent, whole ppm) so a shrunk plan reads well. fast-check
// shrinks numbers towards their minimum: earlier, shorter, smaller faults.
import fc from 'fast-check';
import type { FaultClass } from './classes';
import type { FaultTargets, ProcessTarget } from './targets';
import type { FaultWindow, PartitionShape } from './window';

export interface PlanBounds {
  /** Fault classes allowed (`--faults`). */
  readonly classes: readonly FaultClass[];
  /** At most this many fault windows per run (`--max-faults`). */
  readonly maxFaults: number;
  /** Faults start in [0, safetyUs) (`--until`). */
  readonly safetyUs: number;
}

/** One run's swarm options, drawn from the seed. */
export interface SwarmOptions {
  readonly classes: readonly FaultClass[];
  readonly maxFaults: number;
  /** Probability that a crash/pause/isolate/clock fault aims at the current leader of something. */
  readonly leaderBias: number;
  readonly maxPauseUs: number;
  readonly maxDownUs: number;
  readonly maxPartitionUs: number;
  readonly maxLossRate: number;
  readonly maxDelayUs: number;
  readonly maxClockJumpUs: number;
  /** Whether clock jumps may step the monotonic clock too (hypervisor step, VM resumed from suspend). */
  readonly monotonicJumps: boolean;
  readonly maxDriftPpm: number;
}

export interface GeneratedPlan {
  readonly swarm: SwarmOptions;
  readonly windows: readonly FaultWindow[];
}

const MS = 1_000;
const S = 1_000_000;

/** Swarm options within the bounds. */
export function swarmArbitrary(bounds: PlanBounds): fc.Arbitrary<SwarmOptions> {
  if (bounds.classes.length === 0) throw new RangeError('swarmArbitrary: no fault class allowed');
  if (!(bounds.maxFaults >= 0) || !Number.isInteger(bounds.maxFaults)) throw new RangeError(`swarmArbitrary: maxFaults must be a whole number >= 0, got ${bounds.maxFaults}`);
  return fc.record({
    classes: fc.subarray([...bounds.classes], { minLength: 1 }),
    maxFaults: fc.integer({ min: Math.min(1, bounds.maxFaults), max: bounds.maxFaults }),
    leaderBias: fc.constantFrom(0, 0.5, 0.9),
    maxPauseUs: fc.constantFrom(1 * S, 5 * S, 20 * S, 40 * S),
    maxDownUs: fc.constantFrom(1 * S, 10 * S, 30 * S, 60 * S),
    maxPartitionUs: fc.constantFrom(2 * S, 10 * S, 30 * S, 45 * S),
    maxLossRate: fc.constantFrom(0.05, 0.2, 0.5),
    maxDelayUs: fc.constantFrom(10 * MS, 200 * MS, 2 * S),
    maxClockJumpUs: fc.constantFrom(1 * S, 20 * S, 3600 * S),
    monotonicJumps: fc.boolean(),
    maxDriftPpm: fc.constantFrom(100, 10_000, 500_000),
  });
}

/** A duration on a millisecond grid in [minUs, maxUs]. */
function durationUs(minUs: number, maxUs: number): fc.Arbitrary<number> {
  const lo = Math.ceil(minUs / MS);
  const hi = Math.max(lo, Math.floor(maxUs / MS));
  return fc.integer({ min: lo, max: hi }).map((ms) => ms * MS);
}

function signedUs(maxUs: number): fc.Arbitrary<number> {
  return fc.tuple(fc.boolean(), durationUs(MS, maxUs)).map(([negative, us]) => (negative ? -us : us));
}

function aimed<T>(leaderBias: number, leaders: readonly T[], others: readonly T[]): fc.Arbitrary<T> {
  if (leaders.length === 0 || leaderBias === 0) return fc.constantFrom(...others);
  if (others.length === 0) return fc.constantFrom(...leaders);
  // weights in whole numbers: bias 0.5 -> 1:1, 0.9 -> 9:1
  const leaderWeight = Math.round(leaderBias * 10);
  return fc.oneof({ arbitrary: fc.constantFrom(...leaders), weight: leaderWeight }, { arbitrary: fc.constantFrom(...others), weight: 10 - leaderWeight });
}

function aimedArb<T>(leaderBias: number, leaders: readonly T[], others: fc.Arbitrary<T>): fc.Arbitrary<T> {
  if (leaders.length === 0 || leaderBias === 0) return others;
  const leaderWeight = Math.round(leaderBias * 10);
  return fc.oneof({ arbitrary: fc.constantFrom(...leaders), weight: leaderWeight }, { arbitrary: others, weight: 10 - leaderWeight });
}

function splitArbitrary(hosts: readonly string[]): fc.Arbitrary<PartitionShape> {
  // a bitmask over the hosts; both sides non-empty
  return fc
    .subarray([...hosts], { minLength: 1, maxLength: Math.max(1, hosts.length - 1) })
    .map((side): PartitionShape => ({ type: 'split', groups: [side, hosts.filter((h) => !side.includes(h))] }));
}

/** One fault window of the given class. */
export function windowArbitrary(cls: FaultClass, swarm: SwarmOptions, targets: FaultTargets, safetyUs: number): fc.Arbitrary<FaultWindow> {
  const atUs = durationUs(0, safetyUs - MS);
  // Whole hosts and single processes are equally likely (a host has several processes, so a uniform pick would
  // rarely take a whole host down).
  const wholeHosts = targets.processTargets.filter((t) => t.process === undefined);
  const processes = targets.processTargets.filter((t) => t.process !== undefined);
  const hostsAndProcesses = fc.oneof(...[wholeHosts, processes].filter((list) => list.length > 0).map((list) => fc.constantFrom(...list)));
  const processTarget = aimedArb<ProcessTarget>(swarm.leaderBias, targets.leaderTargets, hostsAndProcesses);
  const hostTarget = aimed<string>(swarm.leaderBias, targets.leaderHosts, targets.hosts);
  const linkEnd = fc.constantFrom('*', ...targets.hosts);
  switch (cls) {
    case 'crash':
      return fc.record({ atUs, target: processTarget, downUs: durationUs(0, swarm.maxDownUs) }).map((w) => ({ kind: 'crash', ...w }));
    case 'pause':
      return fc.record({ atUs, target: processTarget, durationUs: durationUs(10 * MS, swarm.maxPauseUs) }).map((w) => ({ kind: 'pause', ...w }));
    case 'partition': {
      const shapes: Array<fc.Arbitrary<PartitionShape>> = [
        hostTarget.map((host): PartitionShape => ({ type: 'isolate', host })),
        fc.tuple(fc.constantFrom<'inbound' | 'outbound'>('inbound', 'outbound'), hostTarget).map(([type, host]): PartitionShape => ({ type, host })),
      ];
      if (targets.hosts.length >= 2) {
        shapes.push(splitArbitrary(targets.hosts));
        shapes.push(
          fc
            .tuple(fc.constantFrom(...targets.hosts), fc.constantFrom(...targets.hosts))
            .filter(([a, b]) => a !== b)
            .map(([from, to]): PartitionShape => ({ type: 'cut', from, to })),
        );
      }
      return fc.record({ atUs, shape: fc.oneof(...shapes), durationUs: durationUs(10 * MS, swarm.maxPartitionUs) }).map((w) => ({ kind: 'partition', ...w }));
    }
    case 'loss': {
      const maxPercent = Math.max(1, Math.round(swarm.maxLossRate * 100));
      return fc
        .record({ atUs, from: linkEnd, to: linkEnd, percent: fc.integer({ min: 1, max: maxPercent }), durationUs: durationUs(10 * MS, swarm.maxPartitionUs) })
        .map(({ percent, ...w }) => ({ kind: 'loss', lossRate: percent / 100, ...w }));
    }
    case 'delay':
      return fc
        .record({ atUs, from: linkEnd, to: linkEnd, latencyUs: durationUs(MS, swarm.maxDelayUs), durationUs: durationUs(10 * MS, swarm.maxPartitionUs) })
        .map((w) => ({ kind: 'delay', ...w }));
    case 'reorder': {
      const maxPercent = Math.max(1, Math.round(swarm.maxLossRate * 100));
      return fc
        .record({ atUs, from: linkEnd, to: linkEnd, percent: fc.integer({ min: 1, max: maxPercent }), maxDelayUs: durationUs(MS, swarm.maxDelayUs), durationUs: durationUs(10 * MS, swarm.maxPartitionUs) })
        .map(({ percent, ...w }) => ({ kind: 'reorder', rate: percent / 100, ...w }));
    }
    case 'duplicate': {
      const maxPercent = Math.max(1, Math.round(swarm.maxLossRate * 100));
      return fc
        .record({ atUs, from: linkEnd, to: linkEnd, percent: fc.integer({ min: 1, max: maxPercent }), durationUs: durationUs(10 * MS, swarm.maxPartitionUs) })
        .map(({ percent, ...w }) => ({ kind: 'duplicate', rate: percent / 100, ...w }));
    }
    case 'clock-jump':
      return fc
        .record({ atUs, host: hostTarget, deltaUs: signedUs(swarm.maxClockJumpUs), monotonic: swarm.monotonicJumps ? fc.boolean() : fc.constant(false) })
        // A monotonic clock never goes back: only forward steps are also monotonic (a VM resumed after a freeze).
        .map((w) => ({ kind: 'clock-jump', ...w, monotonic: w.monotonic && w.deltaUs > 0 }));
    case 'clock-skew':
      return fc.record({ atUs, host: hostTarget, offsetUs: signedUs(swarm.maxClockJumpUs) }).map((w) => ({ kind: 'clock-skew', ...w }));
    case 'clock-drift':
      return fc
        .record({ atUs, host: hostTarget, negative: fc.boolean(), ppm: fc.integer({ min: 1, max: swarm.maxDriftPpm }) })
        .map(({ negative, ppm, ...w }) => ({ kind: 'clock-drift', driftPpm: negative ? -Math.min(ppm, 900_000) : ppm, ...w }));
  }
}

/** Fault windows drawn with a run's swarm options. */
export function windowsArbitrary(swarm: SwarmOptions, targets: FaultTargets, safetyUs: number): fc.Arbitrary<FaultWindow[]> {
  if (swarm.maxFaults === 0) return fc.constant([]);
  const one = fc.oneof(...swarm.classes.map((cls) => windowArbitrary(cls, swarm, targets, safetyUs)));
  // Every run has at least one fault, and as many as the run's maxFaults just as often as one (fast-check's
  // default size bias would mostly draw one or two).
  return fc.array(one, { minLength: 1, maxLength: swarm.maxFaults, size: 'max' });
}

/** A whole generated plan: swarm options, then windows drawn with them. */
export function planArbitrary(bounds: PlanBounds, targets: FaultTargets): fc.Arbitrary<GeneratedPlan> {
  if (!(bounds.safetyUs >= 10 * MS)) throw new RangeError(`planArbitrary: the safety phase must last at least 10ms, got ${bounds.safetyUs}µs`);
  return swarmArbitrary(bounds).chain((swarm) => windowsArbitrary(swarm, targets, bounds.safetyUs).map((windows) => ({ swarm, windows })));
}
