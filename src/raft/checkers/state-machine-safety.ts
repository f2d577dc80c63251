// State Machine Safety (Raft Figure 3): if a member has applied a log entry at a given index, no other member
// ever applies a different entry at that index — and a member re-applying after a restart applies the same one.
import type { Entry, NodeId } from '../types';
import { sameEntry } from './entry-equality';
import type { MemberSample } from './sample';
import { violation, type RaftViolation } from './violation';

export class StateMachineSafety {
  private readonly applied: Entry[] = [];
  private readonly appliedBy: NodeId[] = [];
  private readonly cursor: number[] = [];

  observe(s: MemberSample): RaftViolation | null {
    const p = s.pos;
    const m = s.member;
    const upTo = m.appliedIndex();
    let from = this.cursor[p] ?? 0;
    if (upTo < from) from = upTo; // restarted: it re-applies from a lower index, checked again as it goes
    for (let i = from + 1; i <= upTo; i++) {
      const e = m.appliedEntry(i);
      if (e === undefined) continue;
      if (i > this.applied.length) {
        // Fill any gap (a member may restart with a state machine already at some index).
        while (this.applied.length < i - 1) {
          this.applied.push(MISSING);
          this.appliedBy.push(0);
        }
        this.applied.push(e);
        this.appliedBy.push(m.id);
        continue;
      }
      const prev = this.applied[i - 1]!;
      if (prev === MISSING) {
        this.applied[i - 1] = e;
        this.appliedBy[i - 1] = m.id;
      } else if (!sameEntry(prev, e)) {
        const first = this.appliedBy[i - 1]!;
        this.cursor[p] = i;
        return violation(
          'State Machine Safety',
          `member ${first} applied index ${i} term ${prev.term} but member ${m.id} applied index ${i} term ${e.term}` +
            (prev.term === e.term ? ' with different data' : ''),
          first === m.id ? [m.id] : [first, m.id],
          e.term,
          i,
        );
      }
    }
    this.cursor[p] = upTo;
    return null;
  }
}

const MISSING: Entry = { term: -1, index: -1, type: 'normal', data: null };
