// etcd availability under faults: whenever a quorum of members is healthy -- each member running (not crashed,
// not paused) on an up host, every pair of them connected both ways with no cut, loss, reordering, duplication or
// added latency -- one of them must
// lead within a bound. This is what CheckQuorum buys: a leader that can still send but no longer hears a quorum
// (a one-way cut) steps down, and the healthy quorum elects a leader among themselves; without it, the cut-off
// leader's heartbeats keep the others from ever campaigning and the cluster is unavailable for as long as the
// fault lasts.
//
// Sampled every `periodUs` of simulated time (cheap: a few link lookups for 3 or 5 members); a violation stops the
// run as an engine invariant. A liveness property checked during the faults, so `check` reports it as liveness.
import type { Engine, Invariant, InvariantFailure } from '../../sim/engine';
import type { Host } from '../../sim/host';
import type { Network } from '../../sim/network';
import { formatDurationUs, formatSimTime } from '../../sim/time';

export interface EtcdMemberProbe {
  readonly name: string;
  readonly host: Host;
  /** The etcd process's state: true while it runs (neither crashed, exited nor paused). */
  running(): boolean;
  /** True while this member is the leader (of the highest term it knows). */
  leading(): boolean;
}

export interface EtcdAvailabilityOptions {
  /** How long a healthy quorum may go without a leader among it. Default 15 s (15 election timeouts at default flags). */
  readonly boundUs?: number;
  /** Sampling period. Default 250 ms. */
  readonly periodUs?: number;
}

export const ETCD_AVAILABILITY = 'etcd-availability';

export class EtcdAvailabilityMonitor {
  /** When the current stretch of "healthy quorum, no leader in it" began; null while none. */
  private leaderlessSinceUs: number | null = null;
  private failure: InvariantFailure | null = null;
  /** Each member pair's link latency model at start: a link whose latency a fault changed is not healthy. */
  private readonly baseLatency = new Map<string, unknown>();
  readonly boundUs: number;
  readonly periodUs: number;

  readonly invariant: Invariant = { name: ETCD_AVAILABILITY, check: () => this.failure };

  constructor(
    private readonly engine: Engine,
    private readonly network: Network,
    private readonly members: readonly EtcdMemberProbe[],
    options: EtcdAvailabilityOptions = {},
  ) {
    this.boundUs = options.boundUs ?? 15_000_000;
    this.periodUs = options.periodUs ?? 250_000;
    if (!(this.boundUs > 0) || !(this.periodUs > 0)) throw new RangeError('etcd availability: boundUs and periodUs must be > 0');
  }

  /** Starts sampling (call once, before the run). */
  start(): void {
    for (const a of this.members) for (const b of this.members) if (a !== b) this.baseLatency.set(`${a.name}>${b.name}`, this.network.link(a.host, b.host).model.latency);
    const tick = (): void => {
      this.sample();
      if (this.failure === null) this.engine.schedule(this.periodUs, tick);
    };
    this.engine.schedule(this.periodUs, tick);
  }

  /** One direction is healthy: not cut, and no loss, reordering, duplication or added latency. */
  private healthy(a: EtcdMemberProbe, b: EtcdMemberProbe): boolean {
    if (this.network.isCut(a.host, b.host)) return false;
    const m = this.network.link(a.host, b.host).model;
    return m.lossRate === 0 && m.reorderRate === 0 && m.duplicateRate === 0 && m.latency === this.baseLatency.get(`${a.name}>${b.name}`);
  }

  /** The largest set of healthy, pairwise connected members (members are few: exhaustive search). */
  healthyQuorum(): EtcdMemberProbe[] | null {
    const up = this.members.filter((m) => m.host.up && m.running());
    const quorum = Math.floor(this.members.length / 2) + 1;
    let best: EtcdMemberProbe[] | null = null;
    const n = up.length;
    for (let mask = (1 << n) - 1; mask > 0; mask--) {
      const set = up.filter((_, i) => (mask >> i) & 1);
      if (set.length < quorum || (best !== null && set.length <= best.length)) continue;
      let ok = true;
      for (let i = 0; i < set.length && ok; i++) for (let j = i + 1; j < set.length && ok; j++) ok = this.healthy(set[i]!, set[j]!) && this.healthy(set[j]!, set[i]!);
      if (ok) best = set;
    }
    return best;
  }

  /**
   * A leader that can serve: running, and reachable both ways (no cut; loss is tolerated) with a quorum of running
   * members counting itself. A leader cut off from a quorum cannot commit anything.
   */
  servingLeader(): EtcdMemberProbe | null {
    const quorum = Math.floor(this.members.length / 2) + 1;
    const running = this.members.filter((m) => m.host.up && m.running());
    for (const leader of running) {
      if (!leader.leading()) continue;
      const reach = running.filter((m) => m === leader || (!this.network.isCut(leader.host, m.host) && !this.network.isCut(m.host, leader.host))).length;
      if (reach >= quorum) return leader;
    }
    return null;
  }

  private sample(): void {
    const now = this.engine.nowUs;
    // A serving leader settles it (the usual case), without the search for a healthy quorum.
    const q = this.servingLeader() === null ? this.healthyQuorum() : null;
    if (q === null) {
      this.leaderlessSinceUs = null;
      return;
    }
    if (this.leaderlessSinceUs === null) {
      this.leaderlessSinceUs = now;
      return;
    }
    if (now - this.leaderlessSinceUs >= this.boundUs) {
      const leaders = this.members.filter((m) => m.leading()).map((m) => m.name);
      this.failure = {
        message:
          `no etcd leader that a quorum can reach, while {${q.map((m) => m.name).join(', ')}} are healthy, for ${formatDurationUs(now - this.leaderlessSinceUs)} ` +
          `(since ${formatSimTime(this.leaderlessSinceUs)})${leaders.length > 0 ? `; leading but cut off from a quorum: ${leaders.join(', ')}` : ''}`,
        hosts: q.map((m) => m.host.name),
      };
    }
  }
}
