// One member as seen in one check: read once, shared by every property checker (no allocation per check).
// read() also tells whether anything a checker looks at changed since the previous check, so an idle member
// costs a handful of comparisons.
import type { RaftLogView, RaftStatus, RawNodeApi } from '../types';
import type { RaftMemberView } from './view';

export class MemberSample {
  /** null while the member is down. */
  status: RaftStatus | null = null;
  /** The in-memory log; null while down. */
  log: RaftLogView | null = null;
  durable: RaftLogView | null = null;

  // What the previous read saw (RawNode.status() returns the same object while nothing in it changed).
  private node: RawNodeApi | null = null;
  private logLast = -1;
  private logTruncations = -1;
  private durableLast = -1;
  private durableTruncations = -1;
  private applied = -1;
  private stamp: number | undefined = undefined;

  constructor(
    /** Position in RaftClusterView.members: checkers keep per-member state in arrays indexed by it. */
    readonly pos: number,
    readonly member: RaftMemberView,
  ) {}

  /** Reads the member; returns false when nothing the checkers look at changed since the last read. */
  read(): boolean {
    const node = this.member.node();
    const stamp = this.member.changes?.();
    if (stamp !== undefined && stamp === this.stamp && node === this.node) return false;
    this.stamp = stamp;
    let changed = node !== this.node;
    this.node = node;
    if (node === null) {
      this.status = null;
      this.log = null;
    } else {
      const status = node.status();
      const log = node.log();
      if (status !== this.status || log !== this.log) changed = true;
      this.status = status;
      this.log = log;
      const last = log.lastIndex();
      const truncations = log.truncations();
      if (last !== this.logLast || truncations !== this.logTruncations) changed = true;
      this.logLast = last;
      this.logTruncations = truncations;
    }
    const durable = this.member.durableLog();
    if (durable !== this.durable) changed = true;
    this.durable = durable;
    const dLast = durable.lastIndex();
    const dTruncations = durable.truncations();
    if (dLast !== this.durableLast || dTruncations !== this.durableTruncations) changed = true;
    this.durableLast = dLast;
    this.durableTruncations = dTruncations;
    const applied = this.member.appliedIndex();
    if (applied !== this.applied) changed = true;
    this.applied = applied;
    return changed;
  }
}
