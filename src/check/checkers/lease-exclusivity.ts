// Lease exclusivity: at no instant do two replicas act as leader of the same lease.
//
// Input is the ground truth of who *acts* as leader (from OnStartedLeading until the replica stops acting: its
// renew deadline passed, it exited, crashed, or its host died) -- not who the Lease object names. client-go says
// as much: "This implementation does not guarantee that only one client is acting as a leader (a.k.a. fencing)".
// Acting intervals are half-open [from, to): a hand-over at one instant (old leader stops at t, new one starts
// at t) is not an overlap.
//
// Two forms: findLeaseOverlaps over recorded intervals (end of run), and LeaseExclusivityMonitor fed as the run
// goes (O(1) per start/stop), which keeps the first overlap and can stop the engine at once as an invariant.
import type { Invariant, InvariantFailure } from '../../sim/engine';
import { formatDurationUs, formatSimTime } from '../../sim/time';
import { CHECKER_NAMES, type CheckViolation } from './types';

export interface ActingInterval {
  /** `namespace/name`, e.g. kube-system/kube-scheduler. */
  readonly lease: string;
  /** The elector's identity, `<hostname>_<uuid>`. */
  readonly identity: string;
  readonly host: string;
  readonly fromUs: number;
  /** null while still acting. */
  readonly toUs: number | null;
}

export interface LeaseOverlap {
  readonly lease: string;
  /** The replica that was acting first. */
  readonly first: ActingInterval;
  /** The replica that started acting while `first` still was. */
  readonly second: ActingInterval;
  readonly fromUs: number;
  /** When one of them stopped; null if both still act (at the end of the run). */
  readonly toUs: number | null;
}

function end(us: number | null): number {
  return us === null ? Number.POSITIVE_INFINITY : us;
}

/** Every pair of overlapping acting intervals of the same lease, by start of the overlap. */
export function findLeaseOverlaps(intervals: readonly ActingInterval[]): LeaseOverlap[] {
  const byLease = new Map<string, ActingInterval[]>();
  for (const interval of intervals) {
    if (interval.toUs !== null && interval.toUs < interval.fromUs) {
      throw new RangeError(`acting interval of ${interval.identity} on ${interval.lease} ends (${interval.toUs}) before it starts (${interval.fromUs})`);
    }
    const list = byLease.get(interval.lease);
    if (list === undefined) byLease.set(interval.lease, [interval]);
    else list.push(interval);
  }
  const overlaps: LeaseOverlap[] = [];
  for (const [lease, list] of byLease) {
    const sorted = [...list].sort((a, b) => a.fromUs - b.fromUs);
    // sweep: intervals still open when the next one starts
    const open: ActingInterval[] = [];
    for (const interval of sorted) {
      for (let i = open.length - 1; i >= 0; i--) if (end(open[i]!.toUs) <= interval.fromUs) open.splice(i, 1);
      for (const other of open) {
        if (other.identity === interval.identity) continue; // one replica's consecutive terms never overlap itself
        if (interval.fromUs === end(interval.toUs)) continue; // empty interval
        const toUs = Math.min(end(other.toUs), end(interval.toUs));
        overlaps.push({ lease, first: other, second: interval, fromUs: interval.fromUs, toUs: Number.isFinite(toUs) ? toUs : null });
      }
      open.push(interval);
    }
  }
  return overlaps.sort((a, b) => a.fromUs - b.fromUs || (a.lease < b.lease ? -1 : a.lease > b.lease ? 1 : 0));
}

/** The report of an overlap. */
export function overlapViolation(overlap: LeaseOverlap): CheckViolation {
  const who = (i: ActingInterval): string => `${i.identity} on ${i.host} (acting since ${formatSimTime(i.fromUs)})`;
  const span = overlap.toUs === null ? 'until the end of the run' : `until ${formatSimTime(overlap.toUs)} (${formatDurationUs(overlap.toUs - overlap.fromUs)})`;
  return {
    checker: CHECKER_NAMES.leaseExclusivity,
    atUs: overlap.fromUs,
    hosts: [overlap.first.host, overlap.second.host],
    message: `two replicas act as leader of lease ${overlap.lease} from ${formatSimTime(overlap.fromUs)} ${span}`,
    details: `${who(overlap.first)}\n${who(overlap.second)}`,
  };
}

interface OpenTerm {
  readonly identity: string;
  readonly host: string;
  readonly fromUs: number;
}

/**
 * Fed as the run goes: who starts and stops acting. Keeps every interval and finds the first overlap. A second
 * replica starting while another acts makes the lease suspect; the overlap is confirmed once simulated time has
 * moved past that instant with both still acting (so a hand-over within one instant is not reported).
 */
export class LeaseExclusivityMonitor {
  private readonly acting = new Map<string, OpenTerm[]>();
  private readonly closed: ActingInterval[] = [];
  /** Leases where two replicas acted at once at some instant, with the earliest such instant. */
  private readonly suspects = new Map<string, number>();
  private first: LeaseOverlap | null = null;

  /**
   * `explain(lease, identity)` may add why a replica still acts (e.g. it is releasing the lease) to the report;
   * it is asked when the overlap is reported.
   */
  constructor(
    private readonly clock: { readonly nowUs: number },
    private readonly explain: (lease: string, identity: string) => string | null = () => null,
  ) {}

  /** An engine invariant that fails as soon as two replicas have acted at once (stopping the run there). */
  readonly invariant: Invariant = {
    name: CHECKER_NAMES.leaseExclusivity,
    // Runs after every event: nothing here may allocate while the lease holds (no closure over a local).
    check: (): InvariantFailure | null => {
      if (this.first === null && this.suspects.size > 0) this.confirm();
      return this.first === null ? null : this.failure(this.first);
    },
  };

  private failure(o: LeaseOverlap): InvariantFailure {
    const why = (i: ActingInterval): string => {
      const note = this.explain(o.lease, i.identity);
      return note === null ? '' : `; ${note}`;
    };
    return {
      message: `two replicas act as leader of lease ${o.lease}: ${o.first.identity} on ${o.first.host} (since ${formatSimTime(o.first.fromUs)}${why(o.first)}) and ${o.second.identity} on ${o.second.host} (since ${formatSimTime(o.second.fromUs)}${why(o.second)})`,
      hosts: [o.first.host, o.second.host],
    };
  }

  started(lease: string, identity: string, host: string, atUs: number): void {
    let terms = this.acting.get(lease);
    if (terms === undefined) {
      terms = [];
      this.acting.set(lease, terms);
    }
    for (const term of terms) {
      if (term.identity === identity) throw new Error(`lease monitor: ${identity} starts acting on ${lease} twice without stopping`);
    }
    if (terms.length > 0 && !this.suspects.has(lease)) this.suspects.set(lease, atUs);
    terms.push({ identity, host, fromUs: atUs });
  }

  stopped(lease: string, identity: string, atUs: number): void {
    const terms = this.acting.get(lease);
    const index = terms === undefined ? -1 : terms.findIndex((t) => t.identity === identity);
    if (index < 0) return; // stopping when not acting (e.g. OnStoppedLeading of one that never led) is a no-op
    const term = terms![index]!;
    terms!.splice(index, 1);
    this.closed.push({ lease, identity, host: term.host, fromUs: term.fromUs, toUs: atUs });
  }

  private confirm(): void {
    const now = this.clock.nowUs;
    for (const [lease, sinceUs] of [...this.suspects]) {
      if (now <= sinceUs) continue;
      const overlap = findLeaseOverlaps(this.intervals().filter((i) => i.lease === lease))[0];
      this.suspects.delete(lease);
      if (overlap !== undefined && (this.first === null || overlap.fromUs < this.first.fromUs)) this.first = overlap;
    }
  }

  /** Whether two replicas of some lease have acted at once (for a positive duration) so far. */
  get violated(): boolean {
    if (this.first === null && this.suspects.size > 0) this.confirm();
    return this.first !== null;
  }

  /** Every acting interval so far (open ones with toUs null), by start. */
  intervals(): ActingInterval[] {
    const open: ActingInterval[] = [];
    for (const [lease, terms] of this.acting) for (const t of terms) open.push({ lease, identity: t.identity, host: t.host, fromUs: t.fromUs, toUs: null });
    return [...this.closed, ...open].sort((a, b) => a.fromUs - b.fromUs);
  }

  /** Who acts now as leader of `lease`. */
  actingNow(lease: string): ReadonlyArray<{ readonly identity: string; readonly host: string; readonly fromUs: number }> {
    return this.acting.get(lease) ?? [];
  }

  /** The first overlap with its extent so far (toUs null while both still act), or null. */
  firstViolation(): CheckViolation | null {
    const first = findLeaseOverlaps(this.intervals())[0];
    return first === undefined ? null : overlapViolation(first);
  }
}
