// Properties of committed entries, tracked from every member's commit index:
//  - State Machine Safety (committed form): no two members ever commit different entries at one index (the TLA+
//    spec's "committed prefixes never conflict").
//  - Leader Completeness (Raft Figure 3): an entry committed in a term is in the log of every leader of every
//    later term — checked when a leader is first seen (against everything committed so far) and when an entry
//    is first seen committed (against the leaders alive then).
//  - Committed Durability (TLA+): an entry a leader has committed stays on the durable logs of a quorum, through
//    crashes and restarts. Checked at the highest index a leader has committed (the members holding it durably
//    hold everything before it, by Log Matching, which is checked separately). Only leaders' commit indexes count
//    here: a bootstrapping member's ConfChange entries are committed by fiat before they are persisted.
import type { Entry, NodeId, RaftLogView } from '../types';
import { sameEntry } from './entry-equality';
import type { MemberSample } from './sample';
import { describeMembers, violation, type RaftViolation } from './violation';

export class CommittedEntries {
  /** committed[i - 1]: the entry first seen committed at index i, and by whom. */
  private readonly committed: Entry[] = [];
  private readonly committedBy: NodeId[] = [];
  /** Per member: its log when last seen, and how far its commit index was checked in it. */
  private readonly log: (RaftLogView | null)[] = [];
  private readonly checked: number[] = [];
  /** Per member: the term of the leadership already checked for completeness (0: none). */
  private readonly leaderTerm: number[] = [];
  /** First index found committed during the current check (for completeness against current leaders). */
  private newFrom = 0;
  /** The highest commit index seen on a leader, and who. */
  private leaderCommit = 0;
  private leaderCommitBy: NodeId = 0;

  /** Highest index seen committed on any member. */
  highestCommitted(): number {
    return this.committed.length;
  }

  beginCheck(): void {
    this.newFrom = this.committed.length + 1;
  }

  observe(s: MemberSample): RaftViolation | null {
    const st = s.status;
    const log = s.log;
    if (st === null || log === null) return null;
    const p = s.pos;
    const id = st.id;
    if (this.log[p] !== log) {
      this.log[p] = log;
      this.checked[p] = 0;
      this.leaderTerm[p] = 0;
    }
    // A commit index is never above the member's last index; keep the scan inside the log regardless.
    const commit = Math.min(st.commit, log.lastIndex());
    for (let i = (this.checked[p] ?? 0) + 1; i <= commit; i++) {
      const e = log.entry(i)!;
      if (i > this.committed.length) {
        this.committed.push(e);
        this.committedBy.push(id);
      } else if (!sameEntry(this.committed[i - 1]!, e)) {
        const first = this.committedBy[i - 1]!;
        return violation(
          'State Machine Safety',
          `members ${first} and ${id} committed different entries at index ${i} (term ${this.committed[i - 1]!.term} vs term ${e.term})`,
          first === id ? [id] : [first, id],
          e.term,
          i,
        );
      }
    }
    if (commit > (this.checked[p] ?? 0)) this.checked[p] = commit;

    if (st.role !== 'leader') {
      this.leaderTerm[p] = 0;
      return null;
    }
    if (st.commit > this.leaderCommit) {
      this.leaderCommit = st.commit;
      this.leaderCommitBy = id;
    }
    if (this.leaderTerm[p] === st.term) return null;
    this.leaderTerm[p] = st.term;
    // A new leadership: it must hold every entry committed in an earlier term.
    for (let i = 1; i <= this.committed.length; i++) {
      const v = this.checkLeaderHas(id, st.term, log, i);
      if (v) return v;
    }
    return null;
  }

  private checkLeaderHas(leader: NodeId, leaderTerm: number, log: RaftLogView, i: number): RaftViolation | null {
    const e = this.committed[i - 1]!;
    if (e.term >= leaderTerm || log.term(i) === e.term) return null;
    const by = this.committedBy[i - 1]!;
    return violation(
      'Leader Completeness',
      `member ${leader} is leader of term ${leaderTerm} without the entry at index ${i} (term ${e.term}) committed ` +
        `(seen committed on member ${by}); its log has term ${log.term(i)} there`,
      by === leader ? [leader] : [leader, by],
      leaderTerm,
      i,
    );
  }

  /** After every member was observed: completeness of newly committed entries, then durability. */
  finish(samples: readonly MemberSample[]): RaftViolation | null {
    if (this.newFrom <= this.committed.length) {
      for (const s of samples) {
        const st = s.status;
        if (st === null || st.role !== 'leader') continue;
        for (let i = this.newFrom; i <= this.committed.length; i++) {
          const v = this.checkLeaderHas(st.id, st.term, s.log!, i);
          if (v) return v;
        }
      }
    }
    return this.checkDurable(samples);
  }

  private checkDurable(samples: readonly MemberSample[]): RaftViolation | null {
    const c = this.leaderCommit;
    if (c === 0) return null;
    const term = this.committed[c - 1]!.term;
    let holders = 0;
    for (const s of samples) if (s.durable !== null && s.durable.term(c) === term) holders++;
    const n = samples.length;
    const quorum = (n >> 1) + 1;
    if (holders >= quorum) return null;
    const have: NodeId[] = [];
    for (const s of samples) if (s.durable !== null && s.durable.term(c) === term) have.push(s.member.id);
    const missing = samples.filter((s) => !(s.durable !== null && s.durable.term(c) === term)).map((s) => s.member.id);
    return violation(
      'Committed Durability',
      `the entry at index ${c} (term ${term}), committed by leader ${this.leaderCommitBy}, is on the durable logs of only ` +
        `${holders} of ${n} members${have.length > 0 ? ` (${describeMembers(have)})` : ''}, below a quorum of ${quorum}; ` +
        `missing from ${describeMembers(missing)}`,
      missing,
      term,
      c,
    );
  }
}
