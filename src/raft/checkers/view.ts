// What the Raft safety checkers observe. The core-level test network (test/raft/core/network.ts) and the etcd
// server model both implement it; keep it small. Membership is static: `members` lists every voter of the
// cluster for the whole run (quorum = floor(n/2) + 1).
import type { Entry, NodeId, RaftLogView, RawNodeApi } from '../types';

export interface RaftMemberView {
  readonly id: NodeId;
  /** For reports (the host name); defaults to the id in messages. */
  readonly name: string;
  /** The live Raft core, or null while the member is down (crashed, stopped, paused before start). */
  node(): RawNodeApi | null;
  /**
   * The member's durable log: exactly what survived the last fsync, i.e. what a restart would recover. It must
   * count in truncations() every removal of entries from its end.
   */
  durableLog(): RaftLogView;
  /** How many entries the member's state machine has applied (it may drop after a restart and re-apply). */
  appliedIndex(): number;
  /**
   * The entry applied at `index` (1 <= index <= appliedIndex()). Entries applied since the previous check must be
   * available; older ones may be forgotten.
   */
  appliedEntry(index: number): Entry | undefined;
  /**
   * Optional: a counter that moves whenever anything of this member the checkers look at may have changed, except
   * whether it is up (node() is compared on every check). While it and node() stand still, the member is not read.
   */
  changes?(): number;
}

export interface RaftClusterView {
  readonly members: readonly RaftMemberView[];
  /**
   * Optional: a counter that moves whenever anything the checkers look at may have changed (a tick, a step, a
   * Ready handled, an fsync, a member started). While it stands still the checker reads nothing, so events that
   * do not touch Raft (API traffic, load balancer checks) cost one comparison. Without it, every check reads
   * every member.
   */
  changes?(): number;
}
