// client-go's LeaderElector (tools/leaderelection/leaderelection.go, Kubernetes 1.34 / client-go v0.34), ported as a
// callback-driven core on a process's timers. Behaviour, order of API calls, log texts and events are client-go's.
//
// Model assumptions (the package comment's): a candidate acts only on timestamps it captures itself. It never
// compares the renewTime in the record with any clock; it notes when it *observed* the raw record change
// (observedTime) and considers the lease expired once LeaseDuration has passed on its own clock since then.
// Tolerant of clock skew, not of clock skew *rate*. No fencing: nothing stops a deposed leader from acting until it
// notices.
//
// Clocks, as Go's time package has them. clock.RealClock.Now() is time.Now(), which carries a wall reading and a
// monotonic reading; Time.Add keeps both and Time.After compares the MONOTONIC readings when both times have one.
// observedTime and `now` both come from time.Now(), so isLeaseValid, Check (HealthzAdaptor) and every timer
// (wait loops, context deadlines) run on the host's MONOTONIC clock. The wall reading only goes into the record
// (acquireTime, renewTime), which nobody compares. Consequences, reproduced by the simulator:
// - a wall-clock step on a host (settimeofday, an NTP step, `date -s`, even +1 h) changes nothing in this
//   algorithm: the renewTime it writes is off by the step, but expiry judgements and timers are unaffected;
// - a step of the MONOTONIC clock (a hypervisor stepping a guest, a VM resumed after being frozen while the host
//   clock ran on) makes every pending timer of that host due at once and moves `now` past observedTime +
//   LeaseDuration: a standby whose next GET returns the same raw record it saw last time (the leader has not
//   renewed since that standby's previous poll) judges the lease expired and takes it while the leader still leads
//   — kubernetes/kubernetes#125761. The old leader only notices at its next renewal (409, then a GET showing the
//   new holder) and keeps acting until its renew round's deadline (RenewDeadline after the round started).
import type { LogLevel } from '../sim/trace';
import { Context, type ContextError } from './go-context';
import { emptyRecord, type LeaderElectionRecord } from './record';
import { isConflict, isNotFound, type ResourceLock } from './resource-lock';
import { jitterUntil, pollUntilContextTimeout, type LoopEnv } from './wait';
import type { ElectorBugs } from '../check/bugs';

/** leaderelection.JitterFactor. */
export const JITTER_FACTOR = 1.2;

export interface LeaderCallbacks {
  /** Called when this client starts leading; the context is done when it stops (cancelled when Run returns). */
  readonly onStartedLeading: ((leadingCtx: Context) => void) | null;
  /** Called when the elector exits, whether or not it ever led. */
  readonly onStoppedLeading: (() => void) | null;
  /** Called when the observed leader changes (including the first observed leader, and "" after a release). */
  readonly onNewLeader?: ((identity: string) => void) | null;
}

export interface LeaderElectionConfig {
  /** The lock (LeaseLock). */
  readonly lock: ResourceLock | null;
  /** How long a non-leader waits, from its last observed change of the record, before it may take over. Core components: 15 s. */
  readonly leaseDurationUs: number;
  /** How long the leader retries renewing in one round before giving up. Core components: 10 s. */
  readonly renewDeadlineUs: number;
  /** Wait between attempts (jittered by up to 1.2x while acquiring). Core components: 2 s. */
  readonly retryPeriodUs: number;
  readonly callbacks: LeaderCallbacks;
  /** The health checker tied to this elector (kube-scheduler and kube-controller-manager: 20 s tolerance). */
  readonly watchDog?: HealthzAdaptor | null;
  /** Release the lease (holder "", leaseDurationSeconds 1) when the run context is cancelled. Default false. */
  readonly releaseOnCancel?: boolean;
  /** Name of the lock, for the health check's message. */
  readonly name?: string;
  /**
   * client-go v0.36+ (leaderelection: retry release on conflict, 2026): release() retries its Get+Update when the
   * Update gets a 409 (a renew Update cancelled by the context may still commit and bump the resourceVersion).
   * Default false: the modelled v0.34 gives up with "Failed to release lock: ...".
   */
  readonly releaseRetriesOnConflict?: boolean;
  /** TEST ONLY: deliberately injected mistakes (src/check/bugs.ts), for check's tests. Never set otherwise. */
  readonly bugs?: ElectorBugs;
  /** Told of each phase change (diagnostics, traces); not part of client-go. */
  readonly observer?: ((phase: ElectorPhase, detail: string) => void) | null;
}

/**
 * Where Run is: acquiring; leading (OnStartedLeading called); releasing (renew gave up or ctx was cancelled, the
 * release is in progress: OnStartedLeading's context is still live); stopped (Run returned).
 */
export type ElectorPhase = 'acquiring' | 'leading' | 'releasing' | 'stopped';

/** What the elector needs from its process: timers and the monotonic clock, the wall clock, randomness, klog. */
export interface ElectorEnv extends LoopEnv {
  wallUs(): number;
  log(level: LogLevel, msg: string): void;
  /** False when no trace sink records log lines: then none is built. */
  logging(): boolean;
  /** klog's -v: V(n) lines are emitted only when verbosity >= n. */
  readonly verbosity: number;
}

export class LeaderElectionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaderElectionConfigError';
  }
}

/** NewLeaderElector's checks, in client-go's order and with its messages. Returns the first failure or null. */
export function validateLeaderElectionConfig(config: LeaderElectionConfig): string | null {
  if (config.leaseDurationUs <= config.renewDeadlineUs) return 'leaseDuration must be greater than renewDeadline';
  if (config.renewDeadlineUs <= Math.trunc(JITTER_FACTOR * config.retryPeriodUs)) return 'renewDeadline must be greater than retryPeriod*JitterFactor';
  if (config.leaseDurationUs < 1) return 'leaseDuration must be greater than zero';
  if (config.renewDeadlineUs < 1) return 'renewDeadline must be greater than zero';
  if (config.retryPeriodUs < 1) return 'retryPeriod must be greater than zero';
  if (config.callbacks.onStartedLeading === null) return 'OnStartedLeading callback must not be nil';
  if (config.callbacks.onStoppedLeading === null) return 'OnStoppedLeading callback must not be nil';
  if (config.lock === null) return 'Lock must not be nil.';
  if (config.lock.identity() === '') return 'Lock identity is empty';
  return null;
}

/** NewLeaderElector: validates the config (throws LeaderElectionConfigError with client-go's message). */
export function newLeaderElector(config: LeaderElectionConfig, env: ElectorEnv): LeaderElector {
  const problem = validateLeaderElectionConfig(config);
  if (problem !== null) throw new LeaderElectionConfigError(problem);
  for (const [name, us] of [
    ['leaseDuration', config.leaseDurationUs],
    ['renewDeadline', config.renewDeadlineUs],
    ['retryPeriod', config.retryPeriodUs],
  ] as const) {
    if (!Number.isInteger(us)) throw new LeaderElectionConfigError(`${name} must be a whole number of microseconds, got ${us}`);
  }
  return new LeaderElector(config, env);
}

/** RunOrDie's wiring: validates, ties the watchdog, runs. */
export function runOrDie(ctx: Context, config: LeaderElectionConfig, env: ElectorEnv): LeaderElector {
  const elector = newLeaderElector(config, env);
  config.watchDog?.setLeaderElection(elector);
  elector.run(ctx);
  return elector;
}

export class LeaderElector {
  // Internal bookkeeping, public for tests and diagnostics (the upstream tests set them directly).
  observedRecord: LeaderElectionRecord = emptyRecord();
  /** The raw record of the last GET whose bytes differed from the previous one; null before any. */
  observedRawRecord: string | null = null;
  /** Monotonic reading (µs) of when observedRecord was set: Go's observedTime compared by monotonic reading. */
  observedTimeMonoUs = -Infinity;
  /** Wall reading of the same instant (diagnostics only: client-go never compares it). */
  observedTimeWallUs: number | null = null;
  /** The leader last reported through OnNewLeader. */
  reportedLeader = '';

  private readonly lock: ResourceLock;
  private readonly desc: string;
  private readonly leaseDurationSeconds: number;

  constructor(
    readonly config: LeaderElectionConfig,
    private readonly env: ElectorEnv,
  ) {
    if (config.lock === null) throw new LeaderElectionConfigError('Lock must not be nil.');
    this.lock = config.lock;
    this.desc = this.lock.describe();
    this.leaseDurationSeconds = Math.trunc(config.leaseDurationUs / 1_000_000);
  }

  /**
   * Run: acquire, then OnStartedLeading and renew until renewing fails or ctx is done; OnStoppedLeading always
   * runs at the end (even if it never led). `onReturn` runs after OnStoppedLeading (Run returning).
   */
  run(ctx: Context, onReturn: (() => void) | null = null): void {
    const observer = this.config.observer ?? null;
    const stopped = (): void => {
      observer?.('stopped', '');
      this.config.callbacks.onStoppedLeading!();
      onReturn?.();
    };
    observer?.('acquiring', '');
    this.acquire(ctx, (succeeded) => {
      if (!succeeded) {
        stopped(); // ctx signalled done
        return;
      }
      const leadingCtx = ctx.withCancel();
      observer?.('leading', '');
      this.config.callbacks.onStartedLeading!(leadingCtx);
      this.renew(leadingCtx, () => {
        leadingCtx.cancel();
        stopped();
      });
    });
  }

  /** The identity of the last observed leader ("" if none observed). */
  getLeader(): string {
    return this.observedRecord.holderIdentity;
  }

  /** True if the last observed leader is this client. */
  isLeader(): boolean {
    return this.observedRecord.holderIdentity === this.lock.identity();
  }

  /** Check (HealthzAdaptor): an error once a leader has not renewed for LeaseDuration + maxTolerableExpiredLease. */
  check(maxTolerableExpiredLeaseUs: number): string | null {
    if (!this.isLeader()) return null; // currently not concerned with the case that we are hot standby
    if (this.env.monoUs() - this.observedTimeMonoUs > this.config.leaseDurationUs + maxTolerableExpiredLeaseUs) {
      return `failed election to renew leadership on lease ${this.config.name ?? ''}`;
    }
    return null;
  }

  /** observedTime + observedRecord.leaseDurationSeconds is after now (monotonic readings). */
  isLeaseValid(nowMonoUs: number): boolean {
    return this.observedTimeMonoUs + this.observedRecord.leaseDurationSeconds * 1_000_000 > nowMonoUs;
  }

  /** acquire: loops tryAcquireOrRenew with jittered waits; `done(true)` once acquired, `done(false)` if ctx is done. */
  acquire(parent: Context, done: (succeeded: boolean) => void): void {
    const ctx = parent.withCancel();
    let succeeded = false;
    this.info(`attempting to acquire leader lease ${this.desc}...`);
    jitterUntil(
      this.env,
      ctx,
      (next) => {
        this.tryAcquireOrRenew(ctx, (ok) => {
          succeeded = ok;
          this.maybeReportTransition();
          if (!ok) {
            this.v(4, `failed to acquire lease ${this.desc}`);
            next();
            return;
          }
          this.lock.recordEvent('became leader');
          this.info(`successfully acquired lease ${this.desc}`);
          ctx.cancel();
          next();
        });
      },
      this.config.retryPeriodUs,
      JITTER_FACTOR,
      () => {
        ctx.cancel();
        done(succeeded);
      },
    );
  }

  /** renew: rounds of PollUntilContextTimeout(RetryPeriod, RenewDeadline) every RetryPeriod until one fails or ctx is done. */
  renew(parent: Context, done: () => void): void {
    const ctx = parent.withCancel();
    jitterUntil(
      this.env,
      ctx,
      (next) => {
        pollUntilContextTimeout(
          this.env,
          ctx,
          this.config.retryPeriodUs,
          // TEST ONLY bug ignoreRenewDeadline: the round never times out, so the leader never stops acting.
          this.config.bugs?.ignoreRenewDeadline === true ? Infinity : this.config.renewDeadlineUs,
          (roundCtx, result) => this.tryAcquireOrRenew(roundCtx, result),
          (err: ContextError | null) => {
            this.maybeReportTransition();
            if (err === null) {
              this.v(5, `successfully renewed lease ${this.desc}`);
              next();
              return;
            }
            this.info(`failed to renew lease ${this.desc}: ${err}`);
            ctx.cancel();
            next();
          },
        );
      },
      this.config.retryPeriodUs,
      0,
      () => {
        const finish = (): void => {
          ctx.cancel();
          this.lock.recordEvent('stopped leading');
          done();
        };
        this.config.observer?.('releasing', this.config.releaseOnCancel === true ? 'release' : 'no release');
        // if we hold the lease, give it up
        if (this.config.releaseOnCancel === true) this.release(() => finish());
        else finish();
      },
    );
  }

  /** release: Get, then (if still the observed leader) Update to holder "" and leaseDurationSeconds 1; timeout RenewDeadline. */
  release(done: (ok: boolean) => void): void {
    const ctx = Context.background().withTimeout(this.env, this.config.renewDeadlineUs);
    this.tryRelease(ctx, (ok) => {
      ctx.cancel();
      done(ok);
    });
  }

  private tryRelease(ctx: Context, done: (ok: boolean) => void): void {
    this.lock.get(ctx, (err, oldRecord) => {
      if (err !== null) {
        if (!isNotFound(err)) {
          this.error(`error retrieving resource lock ${this.desc}: ${err.message}`);
          done(false);
          return;
        }
        this.info(`lease lock not found: ${this.desc}`);
        done(false);
        return;
      }
      if (!this.isLeader()) {
        done(true);
        return;
      }
      const nowWallUs = this.env.wallUs();
      const record: LeaderElectionRecord = {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTimeUs: nowWallUs,
        renewTimeUs: nowWallUs,
        leaderTransitions: oldRecord!.leaderTransitions,
        strategy: '',
        preferredHolder: '',
      };
      this.lock.update(ctx, record, (updateErr) => {
        if (updateErr !== null) {
          if (this.config.releaseRetriesOnConflict === true && isConflict(updateErr)) {
            this.v(4, `Conflict when releasing lease ${this.desc}, retrying`);
            this.tryRelease(ctx, done);
            return;
          }
          this.error(`Failed to release lock: ${updateErr.message}`);
          done(false);
          return;
        }
        this.setObservedRecord(record);
        done(true);
      });
    });
  }

  /**
   * tryAcquireOrRenew: acquires the lease if it is free or expired, renews it if held. Calls back true on success.
   * The API calls, in order: [fast path: Update with the cached object] then Get, then Create or Update.
   */
  tryAcquireOrRenew(ctx: Context, done: (ok: boolean) => void): void {
    const nowMonoUs = this.env.monoUs();
    const nowWallUs = this.env.wallUs();
    const identity = this.lock.identity();
    // The one record object is corrected in place by the fast path and by step 4, as client-go's is.
    const desired: LeaderElectionRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: this.leaseDurationSeconds,
      acquireTimeUs: nowWallUs,
      renewTimeUs: nowWallUs,
      leaderTransitions: 0,
      strategy: '',
      preferredHolder: '',
    };

    // 1. fast path for the leader to update optimistically assuming that the record observed last time is the
    // current version.
    if (this.isLeader() && this.isLeaseValid(nowMonoUs)) {
      desired.acquireTimeUs = this.observedRecord.acquireTimeUs;
      desired.leaderTransitions = this.observedRecord.leaderTransitions;
      this.lock.update(ctx, desired, (err) => {
        if (err === null) {
          this.setObservedRecord(desired);
          done(true);
          return;
        }
        this.error(`Failed to update lock optimistically: ${err.message}, falling back to slow path`);
        this.slowPath(ctx, nowMonoUs, desired, done);
      });
      return;
    }
    this.slowPath(ctx, nowMonoUs, desired, done);
  }

  private slowPath(ctx: Context, nowMonoUs: number, desired: LeaderElectionRecord, done: (ok: boolean) => void): void {
    // 2. obtain or create the ElectionRecord
    this.lock.get(ctx, (err, oldRecord, oldRaw) => {
      if (err !== null) {
        if (!isNotFound(err)) {
          this.error(`error retrieving resource lock ${this.desc}: ${err.message}`);
          done(false);
          return;
        }
        this.lock.create(ctx, desired, (createErr) => {
          if (createErr !== null) {
            this.error(`error initially creating leader election record: ${createErr.message}`);
            done(false);
            return;
          }
          this.setObservedRecord(desired);
          done(true);
        });
        return;
      }
      const fetched = oldRecord!;
      // 3. Record obtained, check the Identity & Time
      if (this.observedRawRecord !== oldRaw) {
        this.setObservedRecord(fetched);
        this.observedRawRecord = oldRaw;
      }
      // TEST ONLY bug expiryFromRenewTime: expiry judged from the record's renewTime against this host's wall clock.
      const valid =
        this.config.bugs?.expiryFromRenewTime === true
          ? fetched.renewTimeUs !== null && fetched.renewTimeUs + fetched.leaseDurationSeconds * 1_000_000 > desired.renewTimeUs! /* now, wall */
          : this.isLeaseValid(nowMonoUs);
      if (fetched.holderIdentity.length > 0 && valid && !this.isLeader()) {
        this.v(4, `lock is held by ${fetched.holderIdentity} and has not yet expired`);
        done(false);
        return;
      }
      // 4. We're going to try to update. The leaderElectionRecord is set to its default here. Correct it.
      if (this.isLeader()) {
        desired.acquireTimeUs = fetched.acquireTimeUs;
        desired.leaderTransitions = fetched.leaderTransitions;
      } else {
        desired.leaderTransitions = fetched.leaderTransitions + 1;
      }
      // update the lock itself
      this.lock.update(ctx, desired, (updateErr) => {
        if (updateErr !== null) {
          this.error(`Failed to update lock: ${updateErr.message}`);
          done(false);
          return;
        }
        this.setObservedRecord(desired);
        done(true);
      });
    });
  }

  /** Reports a change of the observed leader through OnNewLeader. */
  maybeReportTransition(): void {
    const holder = this.observedRecord.holderIdentity;
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    this.config.callbacks.onNewLeader?.(holder);
  }

  /** setObservedRecord: the record, and the time (now, on this host's clock) at which it was observed. */
  setObservedRecord(record: LeaderElectionRecord): void {
    this.observedRecord = record;
    this.observedTimeMonoUs = this.env.monoUs();
    this.observedTimeWallUs = this.env.wallUs();
  }

  private info(msg: string): void {
    if (this.env.logging()) this.env.log('info', msg);
  }

  private error(msg: string): void {
    if (this.env.logging()) this.env.log('error', msg);
  }

  private v(level: number, msg: string): void {
    if (this.env.verbosity >= level && this.env.logging()) this.env.log('debug', msg);
  }
}

/**
 * HealthzAdaptor (healthzadaptor.go): the "leaderElection" health check. Healthy unless tied to an elector that
 * believes it leads but has not renewed for LeaseDuration + timeout.
 */
export class HealthzAdaptor {
  private elector: LeaderElector | null = null;

  constructor(readonly timeoutUs: number) {}

  get name(): string {
    return 'leaderElection';
  }

  setLeaderElection(elector: LeaderElector): void {
    this.elector = elector;
  }

  /** Null when healthy, else the error text. */
  check(): string | null {
    return this.elector === null ? null : this.elector.check(this.timeoutUs);
  }
}
