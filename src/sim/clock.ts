// Each host's local clocks, derived from engine time. A host has two, as Linux does:
// - the wall clock (CLOCK_REALTIME: Go's time.Now() wall reading, RFC3339 timestamps in objects): offset, drift and
//   jumps (settimeofday, an NTP step) all move it;
// - the monotonic clock (CLOCK_MONOTONIC: Go's monotonic reading, used by timers and by comparisons of two
//   time.Now() values): drift moves it, a wall-clock jump does not, unless the jump is declared monotonic too
//   (a hypervisor stepping a guest, a VM resumed from suspend).
// Both are piecewise linear in engine time: local(t) = base + (t - baseEngine) * (1 + driftPpm / 1e6).

/** Wall-clock time of simulated t = 0 unless a scenario says otherwise: 2025-01-01T00:00:00Z, in Unix microseconds. */
export const DEFAULT_EPOCH_UNIX_US = Date.UTC(2025, 0, 1) * 1000;

export interface ClockOptions {
  /** Wall clock at engine time 0, in Unix microseconds. */
  readonly epochUnixUs?: number;
  /** Initial wall-clock offset from true time (skew), in microseconds. */
  readonly offsetUs?: number;
  /** Initial drift rate in parts per million (positive runs fast). */
  readonly driftPpm?: number;
}

export class HostClock {
  /** Called after anything that changes how the monotonic clock runs (drift, monotonic jump): the host re-times its timers. */
  onMonotonicChange: (() => void) | null = null;
  private readonly epochUnixUs: number;
  private baseEngineUs: number;
  private baseWallUs: number;
  private baseMonoUs: number;
  private rate: number;
  private driftPpmValue: number;

  constructor(
    private readonly engine: { readonly nowUs: number },
    options: ClockOptions = {},
  ) {
    this.baseEngineUs = engine.nowUs;
    this.epochUnixUs = options.epochUnixUs ?? DEFAULT_EPOCH_UNIX_US;
    this.baseWallUs = this.epochUnixUs + engine.nowUs + (options.offsetUs ?? 0);
    this.baseMonoUs = engine.nowUs;
    this.driftPpmValue = options.driftPpm ?? 0;
    this.rate = 1 + this.driftPpmValue / 1e6;
  }

  /** Wall-clock time on this host, Unix microseconds. */
  wallUs(): number {
    return Math.floor(this.baseWallUs + (this.engine.nowUs - this.baseEngineUs) * this.rate);
  }

  /** Monotonic time on this host, microseconds since the host's clock started. */
  monoUs(): number {
    return Math.floor(this.baseMonoUs + (this.engine.nowUs - this.baseEngineUs) * this.rate);
  }

  get driftPpm(): number {
    return this.driftPpmValue;
  }

  /** Engine microseconds that pass while this host's clocks advance by `localUs`. */
  engineDelayUs(localUs: number): number {
    return this.rate === 1 ? localUs : Math.ceil(localUs / this.rate);
  }

  /** Sets the wall clock to true time + offsetUs (skew). The monotonic clock is untouched. True time uses this clock's epoch. */
  setOffsetUs(offsetUs: number, epochUnixUs: number = this.epochUnixUs): void {
    this.rebase();
    this.baseWallUs = epochUnixUs + this.engine.nowUs + offsetUs;
  }

  /** Steps the wall clock by deltaUs (settimeofday); with `monotonic`, steps the monotonic clock as well. */
  jump(deltaUs: number, monotonic = false): void {
    this.rebase();
    this.baseWallUs += deltaUs;
    if (monotonic) {
      this.baseMonoUs += deltaUs;
      this.onMonotonicChange?.();
    }
  }

  /** Changes the rate at which both clocks run from now on. */
  setDriftPpm(driftPpm: number): void {
    if (!(driftPpm > -1e6)) throw new RangeError(`drift ${driftPpm} ppm would stop or reverse the clock`);
    this.rebase();
    this.driftPpmValue = driftPpm;
    this.rate = 1 + driftPpm / 1e6;
    this.onMonotonicChange?.();
  }

  private rebase(): void {
    this.baseWallUs = this.wallUs();
    this.baseMonoUs = this.monoUs();
    this.baseEngineUs = this.engine.nowUs;
  }
}
