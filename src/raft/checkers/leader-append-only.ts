// Leader Append-Only (Raft Figure 3): a leader never overwrites or deletes entries in its log; it only appends.
// Checked per leadership (member, term): between two observations its log must not have been truncated, must not
// be shorter, and must still hold the same last entry it had.
import type { RaftLogView } from '../types';
import type { MemberSample } from './sample';
import { violation, type RaftViolation } from './violation';

export class LeaderAppendOnly {
  private readonly term: number[] = [];
  private readonly log: (RaftLogView | null)[] = [];
  private readonly truncations: number[] = [];
  private readonly lastIndex: number[] = [];
  private readonly lastTerm: number[] = [];

  observe(s: MemberSample): RaftViolation | null {
    const p = s.pos;
    const st = s.status;
    if (st === null || st.role !== 'leader') {
      this.term[p] = 0;
      return null;
    }
    const log = s.log!;
    const last = log.lastIndex();
    let found: RaftViolation | null = null;
    if (this.term[p] === st.term && this.log[p] === log) {
      const seenLast = this.lastIndex[p]!;
      const seenTerm = this.lastTerm[p]!;
      if (log.truncations() !== this.truncations[p] || last < seenLast || log.term(seenLast) !== seenTerm) {
        found = violation(
          'Leader Append-Only',
          `leader ${st.id} of term ${st.term} removed or overwrote entries of its log: it held index ${seenLast} ` +
            `(term ${seenTerm}), now its last index is ${last} and its term at ${seenLast} is ${log.term(seenLast)}`,
          [st.id],
          st.term,
          seenLast,
        );
      }
    }
    this.term[p] = st.term;
    this.log[p] = log;
    this.truncations[p] = log.truncations();
    this.lastIndex[p] = last;
    this.lastTerm[p] = log.term(last);
    return found;
  }
}
