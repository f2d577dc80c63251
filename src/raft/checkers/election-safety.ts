// Election Safety (Raft Figure 3): at most one leader can be elected in a given term — over the whole history,
// not only among the leaders alive at one moment.
import type { NodeId } from '../types';
import type { MemberSample } from './sample';
import { violation, type RaftViolation } from './violation';

export class ElectionSafety {
  private readonly leaderOfTerm = new Map<number, NodeId>();

  observe(s: MemberSample): RaftViolation | null {
    const st = s.status;
    if (st === null || st.role !== 'leader') return null;
    const prev = this.leaderOfTerm.get(st.term);
    if (prev === undefined) {
      this.leaderOfTerm.set(st.term, st.id);
      return null;
    }
    if (prev === st.id) return null;
    return violation('Election Safety', `members ${prev} and ${st.id} were both leader in term ${st.term}`, [prev, st.id], st.term, 0);
  }

  /** The leader recorded for `term`, if any (for tests and reports). */
  leaderOf(term: number): NodeId | undefined {
    return this.leaderOfTerm.get(term);
  }
}
