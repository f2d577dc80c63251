// All Raft safety properties over a cluster view, checked incrementally so they can run after every event:
// each check reads every member once (status objects are cached by RawNode, so an idle member costs a few
// comparisons) and looks at each new log entry once.
import type { Invariant, InvariantFailure } from '../../sim/engine';
import { CommittedEntries } from './committed';
import { ElectionSafety } from './election-safety';
import { LeaderAppendOnly } from './leader-append-only';
import { LogMatching } from './log-matching';
import { MemberSample } from './sample';
import { StateMachineSafety } from './state-machine-safety';
import type { RaftClusterView } from './view';
import type { RaftProperty, RaftViolation } from './violation';

export const ALL_RAFT_PROPERTIES: readonly RaftProperty[] = [
  'Election Safety',
  'Leader Append-Only',
  'Log Matching',
  'Leader Completeness',
  'State Machine Safety',
  'Committed Durability',
];

export interface RaftSafetyOptions {
  /** Properties to check (default: all). Leader Completeness, committed-entry agreement and Committed Durability share one tracker. */
  readonly properties?: readonly RaftProperty[];
}

export class RaftSafetyChecker {
  private readonly samples: MemberSample[] = [];
  private readonly electionSafety: ElectionSafety | null;
  private readonly leaderAppendOnly: LeaderAppendOnly | null;
  private readonly logMatching: LogMatching | null;
  private readonly committed: CommittedEntries | null;
  private readonly stateMachine: StateMachineSafety | null;
  private found: RaftViolation | null = null;
  private lastChanges = -1;
  /** Checks run so far. */
  checks = 0;

  constructor(
    private readonly view: RaftClusterView,
    options: RaftSafetyOptions = {},
  ) {
    const props = new Set(options.properties ?? ALL_RAFT_PROPERTIES);
    for (const p of props) {
      if (!ALL_RAFT_PROPERTIES.includes(p)) throw new RangeError(`raft safety: unknown property ${JSON.stringify(p)}`);
    }
    this.electionSafety = props.has('Election Safety') ? new ElectionSafety() : null;
    this.leaderAppendOnly = props.has('Leader Append-Only') ? new LeaderAppendOnly() : null;
    this.logMatching = props.has('Log Matching') ? new LogMatching() : null;
    this.committed =
      props.has('Leader Completeness') || props.has('Committed Durability') || props.has('State Machine Safety') ? new CommittedEntries() : null;
    this.stateMachine = props.has('State Machine Safety') ? new StateMachineSafety() : null;
  }

  /** The first violation (sticky: once found it is returned by every later call), or null. */
  check(): RaftViolation | null {
    if (this.found) return this.found;
    const changes = this.view.changes?.();
    if (changes !== undefined) {
      if (changes === this.lastChanges) return null;
      this.lastChanges = changes;
    }
    this.checks++;
    const members = this.view.members;
    while (this.samples.length < members.length) this.samples.push(new MemberSample(this.samples.length, members[this.samples.length]!));
    this.committed?.beginCheck();
    let anyChanged = false;
    for (let i = 0; i < members.length; i++) {
      const s = this.samples[i]!;
      // A member whose status, logs and applied index are all as at the last check has nothing new to show.
      if (!s.read()) continue;
      anyChanged = true;
      const v =
        this.electionSafety?.observe(s) ??
        this.leaderAppendOnly?.observe(s) ??
        this.logMatching?.observe(s) ??
        this.committed?.observe(s) ??
        this.stateMachine?.observe(s) ??
        null;
      if (v) return (this.found = v);
    }
    if (!anyChanged) return null;
    const v = this.committed?.finish(this.samples) ?? null;
    if (v) this.found = v;
    return v;
  }

  /** An engine invariant (Engine.addInvariant) that fails with the violation's message and the members' names. */
  invariant(name = 'raft-safety'): Invariant {
    return {
      name,
      check: (): InvariantFailure | null => {
        const v = this.check();
        if (v === null) return null;
        const hosts = v.members.map((id) => this.view.members.find((m) => m.id === id)?.name ?? String(id));
        return { message: v.message, hosts };
      },
    };
  }
}
