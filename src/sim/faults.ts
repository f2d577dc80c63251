// Faults as data. A fault plan is a list of (time, fault) steps: serialisable, logged at the start of a run,
// and applied by the engine. The same plan and seed always give the same run.
import type { Engine } from './engine';
import type { Host } from './host';
import { validateLatency, type LatencyDist } from './latency';
import type { LinkModel, Network } from './network';
import type { Process } from './process';
import { formatDurationUs, formatSimTime } from './time';

export type Fault =
  /** SIGKILL a process, or power off a whole host (no process gets to clean up). */
  | { readonly kind: 'crash'; readonly host: string; readonly process?: string }
  /** Crash, then start again after downUs (default 0): a process restart, or a host power cycle. */
  | { readonly kind: 'restart'; readonly host: string; readonly process?: string; readonly downUs?: number }
  /** Graceful stop: SIGTERM, SIGKILL after graceUs (systemctl stop); for a host, a shutdown then power off. */
  | { readonly kind: 'stop'; readonly host: string; readonly process?: string; readonly graceUs?: number }
  /** Start a process, or boot a host (its autostart processes start). */
  | { readonly kind: 'start'; readonly host: string; readonly process?: string }
  /** Freeze a process or every process of a host (SIGSTOP, GC pause, VM freeze); resume after durationUs if given. */
  | { readonly kind: 'pause'; readonly host: string; readonly process?: string; readonly durationUs?: number }
  | { readonly kind: 'resume'; readonly host: string; readonly process?: string }
  /** Hosts in different groups cannot reach each other. */
  | { readonly kind: 'partition'; readonly groups: ReadonlyArray<readonly string[]> }
  /** One-way cut: traffic from `from` to `to` is lost. */
  | { readonly kind: 'cut'; readonly from: string; readonly to: string }
  | { readonly kind: 'isolate'; readonly host: string }
  /** Removes all cuts, or those touching `host`. */
  | { readonly kind: 'heal'; readonly host?: string }
  /** Degrades links matching from/to ('*' for any host): loss, duplication, reordering, latency. */
  | {
      readonly kind: 'link';
      readonly from: string;
      readonly to: string;
      readonly lossRate?: number;
      readonly duplicateRate?: number;
      readonly reorderRate?: number;
      readonly reorderDelay?: LatencyDist;
      readonly latency?: LatencyDist;
    }
  /** Removes link degradations set with exactly this from/to, or all of them. */
  | { readonly kind: 'clear-link'; readonly from?: string; readonly to?: string }
  /** Sets the host's wall clock to true time + offsetUs. */
  | { readonly kind: 'clock-skew'; readonly host: string; readonly offsetUs: number }
  /** Steps the host's wall clock (settimeofday); `monotonic` steps its monotonic clock too (hypervisor step). */
  | { readonly kind: 'clock-jump'; readonly host: string; readonly deltaUs: number; readonly monotonic?: boolean }
  /** Both clocks of the host run fast (positive) or slow by driftPpm. */
  | { readonly kind: 'clock-drift'; readonly host: string; readonly driftPpm: number };

export type FaultKind = Fault['kind'];

/** Every fault kind, in the order the documentation lists them. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'crash',
  'restart',
  'stop',
  'start',
  'pause',
  'resume',
  'partition',
  'cut',
  'isolate',
  'heal',
  'link',
  'clear-link',
  'clock-skew',
  'clock-jump',
  'clock-drift',
];

export interface FaultStep {
  readonly atUs: number;
  readonly fault: Fault;
}

export type FaultPlan = readonly FaultStep[];

/** Default SIGTERM-to-SIGKILL grace: systemd's TimeoutStopSec (90 s) is long; kubelet's default 30 s. */
export const DEFAULT_STOP_GRACE_US = 30_000_000;

export function faultTarget(fault: Fault): string {
  switch (fault.kind) {
    case 'crash':
    case 'restart':
    case 'stop':
    case 'start':
    case 'pause':
    case 'resume':
      return fault.process ? `${fault.host}/${fault.process}` : fault.host;
    case 'partition':
      return fault.groups.map((g) => `{${g.join(',')}}`).join(' | ');
    case 'cut':
    case 'link':
      return `${fault.from} -> ${fault.to}`;
    case 'clear-link':
      return `${fault.from ?? '*'} -> ${fault.to ?? '*'}`;
    case 'isolate':
    case 'clock-skew':
    case 'clock-jump':
    case 'clock-drift':
      return fault.host;
    case 'heal':
      return fault.host ?? 'all';
  }
}

/** One line describing a fault, as timelines print it: `crash server-0`, `clock-jump server-1 +1h0m0s`. */
export function describeFault(fault: Fault): string {
  const target = faultTarget(fault);
  switch (fault.kind) {
    case 'restart':
      return `restart ${target}${fault.downUs ? ` (down ${formatDurationUs(fault.downUs)})` : ''}`;
    case 'stop':
      return `stop ${target}`;
    case 'pause':
      return `pause ${target}${fault.durationUs !== undefined ? ` for ${formatDurationUs(fault.durationUs)}` : ''}`;
    case 'link': {
      const parts: string[] = [];
      if (fault.lossRate !== undefined) parts.push(`loss ${fault.lossRate}`);
      if (fault.duplicateRate !== undefined) parts.push(`duplicate ${fault.duplicateRate}`);
      if (fault.reorderRate !== undefined) parts.push(`reorder ${fault.reorderRate}`);
      if (fault.latency !== undefined) parts.push('latency changed');
      return `link ${target} ${parts.join(', ')}`;
    }
    case 'clock-skew':
      return `clock-skew ${target} ${signed(fault.offsetUs)}`;
    case 'clock-jump':
      return `clock-jump ${target} ${signed(fault.deltaUs)}${fault.monotonic ? ' (monotonic too)' : ''}`;
    case 'clock-drift':
      return `clock-drift ${target} ${fault.driftPpm}ppm`;
    default:
      return `${fault.kind} ${target}`;
  }
}

function signed(us: number): string {
  return us >= 0 ? `+${formatDurationUs(us)}` : formatDurationUs(us);
}

export function formatPlan(plan: FaultPlan): string {
  return plan.map((step) => `t=${formatSimTime(step.atUs)} ${describeFault(step.fault)}`).join('\n');
}

/** Applies fault steps to the network and hosts at their times. */
export class FaultInjector {
  /** Steps applied so far, in order. */
  readonly applied: FaultStep[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly network: Network,
  ) {}

  /** Checks every name in the plan exists and every parameter is in range; returns the problems found. */
  validate(plan: FaultPlan): string[] {
    const problems: string[] = [];
    plan.forEach((step, i) => {
      const where = `fault #${i + 1} (${String(step.fault?.kind)})`;
      for (const problem of this.stepProblems(step)) problems.push(`${where}: ${problem}`);
    });
    return problems;
  }

  private stepProblems(step: FaultStep): string[] {
    const problems: string[] = [];
    const host = (name: string | undefined, wildcard = false): Host | undefined => {
      if (name === undefined) return undefined;
      if (name === '*') {
        if (!wildcard) problems.push('"*" (every host) is allowed only in link and clear-link faults');
        return undefined;
      }
      const found = this.network.findHost(name);
      if (!found) problems.push(`no host named "${name}"`);
      return found;
    };
    const duration = (field: string, value: number | undefined): void => {
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) problems.push(`${field} must be a non-negative integer of µs, got ${value}`);
    };
    const integer = (field: string, value: number): void => {
      if (!Number.isInteger(value)) problems.push(`${field} must be an integer of µs, got ${value}`);
    };
    const probability = (field: string, value: number | undefined): void => {
      if (value !== undefined && !(value >= 0 && value <= 1)) problems.push(`${field} must be a probability in [0, 1], got ${value}`);
    };
    const latency = (field: string, dist: LatencyDist | undefined): void => {
      if (dist === undefined) return;
      const problem = validateLatency(dist);
      if (problem !== null) problems.push(`${field}: ${problem}`);
    };
    if (!(Number.isInteger(step.atUs) && step.atUs >= 0)) problems.push(`time must be a non-negative integer of µs, got ${step.atUs}`);
    const f = step.fault;
    switch (f.kind) {
      case 'crash':
      case 'restart':
      case 'stop':
      case 'start':
      case 'pause':
      case 'resume': {
        const h = host(f.host);
        if (h && f.process !== undefined && !h.processes.has(f.process)) {
          problems.push(`host ${f.host} runs no process "${f.process}" (it runs: ${[...h.processes.keys()].join(', ')})`);
        }
        if (f.kind === 'restart') duration('downUs', f.downUs);
        if (f.kind === 'stop') duration('graceUs', f.graceUs);
        if (f.kind === 'pause') duration('durationUs', f.durationUs);
        break;
      }
      case 'partition': {
        const seen = new Set<string>();
        for (const group of f.groups) {
          for (const name of group) {
            host(name);
            if (seen.has(name)) problems.push(`host ${name} is in more than one group`);
            seen.add(name);
          }
        }
        break;
      }
      case 'cut':
        host(f.from);
        host(f.to);
        if (f.from === f.to) problems.push(`a host cannot be cut from itself (${f.from})`);
        break;
      case 'link':
        host(f.from, true);
        host(f.to, true);
        probability('lossRate', f.lossRate);
        probability('duplicateRate', f.duplicateRate);
        probability('reorderRate', f.reorderRate);
        latency('latency', f.latency);
        latency('reorderDelay', f.reorderDelay);
        break;
      case 'clear-link':
        host(f.from, true);
        host(f.to, true);
        break;
      case 'isolate':
      case 'heal':
        host(f.host);
        break;
      case 'clock-skew':
        host(f.host);
        integer('offsetUs', f.offsetUs);
        break;
      case 'clock-jump':
        host(f.host);
        integer('deltaUs', f.deltaUs);
        break;
      case 'clock-drift':
        host(f.host);
        if (!(f.driftPpm > -1e6 && Number.isFinite(f.driftPpm))) {
          problems.push(`driftPpm must be a number above -1000000 (a clock cannot stop or run backwards), got ${f.driftPpm}`);
        }
        break;
      default: {
        const unknown: { kind?: unknown } = f;
        problems.push(`unknown fault kind "${String(unknown.kind)}" (expected one of: ${FAULT_KINDS.join(', ')})`);
      }
    }
    return problems;
  }

  /** Schedules every step of the plan (ties keep plan order). */
  schedule(plan: FaultPlan): void {
    const problems = this.validate(plan);
    if (problems.length > 0) throw new Error(`invalid fault plan:\n  ${problems.join('\n  ')}`);
    const ordered = plan.map((step, index) => ({ step, index })).sort((a, b) => a.step.atUs - b.step.atUs || a.index - b.index);
    for (const { step } of ordered) this.engine.scheduleAt(Math.max(step.atUs, this.engine.nowUs), () => this.apply(step.fault));
  }

  /** Applies one fault now. */
  apply(fault: Fault): void {
    this.applied.push({ atUs: this.engine.nowUs, fault });
    const trace = this.engine.trace;
    if (trace.wants('fault')) trace.emit('fault', { action: fault.kind, target: faultTarget(fault), detail: describeFault(fault) });
    const net = this.network;
    switch (fault.kind) {
      case 'crash':
        if (fault.process === undefined) net.host(fault.host).crash();
        else net.host(fault.host).process(fault.process).crash('crash', 'killed (fault injection)');
        return;
      case 'restart': {
        const host = net.host(fault.host);
        const downUs = fault.downUs ?? 0;
        if (fault.process === undefined) {
          host.crash();
          this.engine.schedule(downUs, () => host.boot());
        } else {
          const process = host.process(fault.process);
          process.crash('crash', 'killed for restart (fault injection)');
          this.engine.schedule(downUs, () => startIfPossible(process));
        }
        return;
      }
      case 'stop': {
        const host = net.host(fault.host);
        const graceUs = fault.graceUs ?? DEFAULT_STOP_GRACE_US;
        if (fault.process !== undefined) {
          host.process(fault.process).stop(graceUs);
          return;
        }
        for (const process of host.processes.values()) process.stop(graceUs);
        this.engine.schedule(graceUs, () => host.crash('shut down'));
        return;
      }
      case 'start':
        if (fault.process === undefined) net.host(fault.host).boot();
        else startIfPossible(net.host(fault.host).process(fault.process));
        return;
      case 'pause':
      case 'resume': {
        const host = net.host(fault.host);
        const targets = fault.process === undefined ? [...host.processes.values()] : [host.process(fault.process)];
        for (const process of targets) {
          if (fault.kind === 'resume') {
            process.resume();
            continue;
          }
          process.pause();
          if (fault.durationUs !== undefined) this.engine.schedule(fault.durationUs, () => process.resume());
        }
        return;
      }
      case 'partition':
        net.partition(fault.groups.map((group) => group.map((name) => net.host(name))));
        return;
      case 'cut':
        net.cut(net.host(fault.from), net.host(fault.to));
        return;
      case 'isolate':
        net.isolate(net.host(fault.host));
        return;
      case 'heal':
        net.heal(fault.host === undefined ? undefined : net.host(fault.host));
        return;
      case 'link': {
        const patch: { -readonly [K in keyof LinkModel]?: LinkModel[K] } = {};
        if (fault.lossRate !== undefined) patch.lossRate = fault.lossRate;
        if (fault.duplicateRate !== undefined) patch.duplicateRate = fault.duplicateRate;
        if (fault.reorderRate !== undefined) patch.reorderRate = fault.reorderRate;
        if (fault.reorderDelay !== undefined) patch.reorderDelay = fault.reorderDelay;
        if (fault.latency !== undefined) patch.latency = fault.latency;
        net.setLink({ from: fault.from, to: fault.to }, patch);
        return;
      }
      case 'clear-link':
        net.clearLinks(fault.from === undefined && fault.to === undefined ? undefined : { from: fault.from ?? '*', to: fault.to ?? '*' });
        return;
      case 'clock-skew':
        net.host(fault.host).clock.setOffsetUs(fault.offsetUs);
        return;
      case 'clock-jump':
        net.host(fault.host).clock.jump(fault.deltaUs, fault.monotonic ?? false);
        return;
      case 'clock-drift':
        net.host(fault.host).clock.setDriftPpm(fault.driftPpm);
        return;
    }
  }
}

function startIfPossible(process: Process): void {
  if (process.host.up && !process.alive) process.start('restart');
}
