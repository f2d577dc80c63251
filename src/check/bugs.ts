// TEST ONLY. Deliberately injected bugs, each modelled on a real mistake, so tests can show that `check` finds
// them. A run's bugs live in a per-engine record that the owning components read (components capture the record
// when they start; an unset switch is a property read of `undefined`, so bugs cost nothing when off). Nothing
// outside tests and the programmatic check API may turn one on; scenario files cannot.
//
// Set them before the cluster is built: `runScenario(s, { beforeBuild: (sim) => setInjectedBugs(sim.engine, {...}) })`
// or `runCheck({ ..., bugs: {...} })`.
import type { EtcdServerBugs } from '../raft/server/config';
import type { RaftBugs } from '../raft/types';

/** client-go LeaderElector mistakes. */
export interface ElectorBugs {
  /**
   * A candidate judges expiry from the record's renewTime against its own wall clock (renewTime + leaseDuration <
   * now) instead of from when it observed the record change: a candidate whose clock runs ahead takes a lease
   * that is still being renewed. (The mistake client-go's design avoids; see its package comment.)
   */
  readonly expiryFromRenewTime?: boolean;
  /** The leader keeps retrying its renewal without a deadline, acting all the while, instead of stopping at RenewDeadline. */
  readonly ignoreRenewDeadline?: boolean;
}

/** kube-apiserver mistakes. */
export interface ApiserverBugs {
  /** An update ignores the resourceVersion the client sent (no optimistic-concurrency check): last writer wins. */
  readonly updateWithoutResourceVersionCheck?: boolean;
}

/** Load balancer mistakes. */
export interface LoadBalancerBugs {
  /** Health checks never mark a backend DOWN: traffic keeps going to dead apiservers. */
  readonly neverMarkDown?: boolean;
}

export interface InjectedBugs {
  /** Raft core switches (raft-core's RaftBugs). */
  readonly raft?: RaftBugs;
  /** etcd server switches (etcd-member's EtcdServerBugs). */
  readonly etcdServer?: EtcdServerBugs;
  readonly elector?: ElectorBugs;
  readonly apiserver?: ApiserverBugs;
  readonly loadBalancer?: LoadBalancerBugs;
}

const NONE: InjectedBugs = Object.freeze({});
const registry = new WeakMap<object, InjectedBugs>();

/** TEST ONLY: turns bugs on for the run of `engine`. Call before the cluster is built. */
export function setInjectedBugs(engine: object, bugs: InjectedBugs): void {
  registry.set(engine, bugs);
}

/** The bugs of the run of `engine` (an empty record when none: the normal case). */
export function injectedBugs(engine: object): InjectedBugs {
  return registry.get(engine) ?? NONE;
}

/** The catalogue of injected bugs the test suite shows `check` catches: name, switch, real-world model. */
export const BUG_CATALOGUE = {
  'vote-not-persisted': { bugs: { etcdServer: { replyVoteBeforePersist: true } }, model: 'a member answers a vote request before the vote is fsynced; a power loss makes it forget and vote twice in one term' },
  'commit-previous-term-by-counting': { bugs: { raft: { commitPreviousTermByCounting: true } }, model: 'a leader commits an entry of an earlier term once a majority stores it (Raft paper, Figure 8)' },
  'accept-stale-term-append': { bugs: { raft: { acceptStaleTermAppend: true } }, model: 'a follower accepts AppendEntries from a leader of an older term and overwrites its log' },
  'vote-twice-per-term': { bugs: { raft: { voteTwicePerTerm: true } }, model: 'a member grants a second vote in a term it already voted in' },
  'volatile-vote': { bugs: { raft: { volatileVote: true } }, model: 'the vote is kept only in memory: a restarted member votes again in the same term' },
  'truncate-without-conflict': { bugs: { raft: { truncateWithoutConflict: true } }, model: 'a follower truncates its log after a delayed AppendEntries even when nothing conflicts, erasing acknowledged entries' },
  'no-check-quorum': { bugs: { etcdServer: { noCheckQuorum: true } }, model: 'a leader that cannot hear from a quorum never steps down (etcd without --check-quorum semantics)' },
  'expiry-from-renew-time': { bugs: { elector: { expiryFromRenewTime: true } }, model: 'a candidate compares the lease record\'s renewTime with its own (skewed) wall clock' },
  'ignore-renew-deadline': { bugs: { elector: { ignoreRenewDeadline: true } }, model: 'a leader keeps acting past its renew deadline while it cannot renew' },
  'update-without-resource-version': { bugs: { apiserver: { updateWithoutResourceVersionCheck: true } }, model: 'the apiserver applies an update without comparing resourceVersion (lost update)' },
  'lb-never-marks-down': { bugs: { loadBalancer: { neverMarkDown: true } }, model: 'the load balancer\'s health checks never take a dead apiserver out of rotation' },
} as const satisfies Record<string, { bugs: InjectedBugs; model: string }>;

export type BugName = keyof typeof BUG_CATALOGUE;
