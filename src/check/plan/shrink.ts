// Shrinking a failing fault plan, independent of fast-check: Zeller's delta debugging (ddmin) over the windows,
// then a pass that simplifies each remaining window (shorter, smaller, aimed at a plain host) while the failure
// persists. The result is 1-minimal: removing any single window makes the failure go away (within the budget).
// `fails` runs the simulation; every call counts against the budget.
import type { FaultWindow } from './window';

export interface ShrinkOptions {
  /** Most calls of `fails` (simulation runs). Default 200. */
  readonly maxRuns?: number;
}

export interface ShrinkResult<T> {
  readonly items: readonly T[];
  /** Simulation runs spent. */
  readonly runs: number;
  /** True when the budget ran out before the result was known to be minimal. */
  readonly exhausted: boolean;
}

/** ddmin: the smallest sublist (1-minimal) for which `fails` still holds. `items` must fail. */
export function ddmin<T>(items: readonly T[], fails: (items: readonly T[]) => boolean, options: ShrinkOptions = {}): ShrinkResult<T> {
  const budget = options.maxRuns ?? 200;
  let runs = 0;
  const test = (candidate: readonly T[]): boolean => {
    runs++;
    return fails(candidate);
  };
  let current = [...items];
  let n = 2;
  while (current.length >= 2) {
    if (runs >= budget) return { items: current, runs, exhausted: true };
    const chunk = Math.ceil(current.length / n);
    let reduced = false;
    // try each complement (remove one chunk)
    for (let start = 0; start < current.length && runs < budget; start += chunk) {
      const complement = [...current.slice(0, start), ...current.slice(start + chunk)];
      if (complement.length > 0 && complement.length < current.length && test(complement)) {
        current = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    if (n >= current.length) break;
    n = Math.min(current.length, n * 2);
  }
  // a single item left: see whether the empty plan fails too (then the failure needs no fault at all)
  if (current.length === 1 && runs < budget && test([])) current = [];
  return { items: current, runs, exhausted: runs >= budget };
}

const MS = 1_000;

/** Simpler versions of a window, most aggressive first. */
export function simplerWindows(w: FaultWindow, leaderHosts: ReadonlyMap<string, string> = new Map()): FaultWindow[] {
  const out: FaultWindow[] = [];
  const halve = (us: number, minUs: number): number[] => {
    const values: number[] = [];
    for (const v of [minUs, Math.round(us / 2 / MS) * MS, Math.round((us * 3) / 4 / MS) * MS]) if (v >= minUs && v < us && !values.includes(v)) values.push(v);
    return values;
  };
  const concrete = (host: string): string | undefined => leaderHosts.get(host);
  switch (w.kind) {
    case 'crash':
      for (const downUs of halve(w.downUs, 0)) out.push({ ...w, downUs });
      if (w.target.process !== undefined && concrete(w.target.host)) out.push({ ...w, target: { host: concrete(w.target.host)!, process: w.target.process } });
      break;
    case 'pause':
      for (const durationUs of halve(w.durationUs, 10 * MS)) out.push({ ...w, durationUs });
      if (concrete(w.target.host)) out.push({ ...w, target: { ...w.target, host: concrete(w.target.host)! } });
      break;
    case 'partition':
      for (const durationUs of halve(w.durationUs, 10 * MS)) out.push({ ...w, durationUs });
      if (w.shape.type === 'split') for (const side of w.shape.groups) if (side.length === 1) out.push({ ...w, shape: { type: 'isolate', host: side[0]! } });
      if (w.shape.type === 'isolate' && concrete(w.shape.host)) out.push({ ...w, shape: { type: 'isolate', host: concrete(w.shape.host)! } });
      break;
    case 'loss':
      for (const durationUs of halve(w.durationUs, 10 * MS)) out.push({ ...w, durationUs });
      break;
    case 'delay':
      for (const durationUs of halve(w.durationUs, 10 * MS)) out.push({ ...w, durationUs });
      for (const latencyUs of halve(w.latencyUs, MS)) out.push({ ...w, latencyUs });
      break;
    case 'reorder':
      for (const durationUs of halve(w.durationUs, 10 * MS)) out.push({ ...w, durationUs });
      for (const maxDelayUs of halve(w.maxDelayUs, MS)) out.push({ ...w, maxDelayUs });
      break;
    case 'duplicate':
      for (const durationUs of halve(w.durationUs, 10 * MS)) out.push({ ...w, durationUs });
      break;
    case 'clock-jump':
      for (const abs of halve(Math.abs(w.deltaUs), MS)) out.push({ ...w, deltaUs: Math.sign(w.deltaUs) * abs });
      if (w.monotonic) out.push({ ...w, monotonic: false });
      if (concrete(w.host)) out.push({ ...w, host: concrete(w.host)! });
      break;
    case 'clock-skew':
      for (const abs of halve(Math.abs(w.offsetUs), MS)) out.push({ ...w, offsetUs: Math.sign(w.offsetUs) * abs });
      if (concrete(w.host)) out.push({ ...w, host: concrete(w.host)! });
      break;
    case 'clock-drift': {
      const abs = Math.abs(w.driftPpm);
      for (const v of [1, Math.round(abs / 2)]) if (v >= 1 && v < abs) out.push({ ...w, driftPpm: Math.sign(w.driftPpm) * v });
      if (concrete(w.host)) out.push({ ...w, host: concrete(w.host)! });
      break;
    }
  }
  return out;
}

/**
 * Shrinks a failing set of windows: ddmin, then simplifies each window in turn until nothing simpler fails.
 * `leaderHosts` maps leader references to the host they resolved to in the failing run, so a window aimed at
 * "the leader" may be pinned to that host when that still fails.
 */
export function shrinkWindows(
  windows: readonly FaultWindow[],
  fails: (windows: readonly FaultWindow[]) => boolean,
  options: ShrinkOptions & { readonly leaderHosts?: ReadonlyMap<string, string> } = {},
): ShrinkResult<FaultWindow> {
  const budget = options.maxRuns ?? 200;
  const removed = ddmin(windows, fails, { maxRuns: budget });
  let runs = removed.runs;
  const current = [...removed.items];
  let changed = true;
  while (changed && runs < budget) {
    changed = false;
    for (let i = 0; i < current.length && runs < budget; i++) {
      for (const simpler of simplerWindows(current[i]!, options.leaderHosts)) {
        if (runs >= budget) break;
        const candidate = [...current];
        candidate[i] = simpler;
        runs++;
        if (fails(candidate)) {
          current[i] = simpler;
          changed = true;
          break;
        }
      }
    }
  }
  return { items: current, runs, exhausted: runs >= budget };
}
