// Log Matching (Raft Figure 3): if two logs contain an entry with the same index and term, the logs are identical
// in all entries up through that index. Checked incrementally over every member's in-memory and durable log: the
// first time an (index, term) is seen its entry and the term before it are registered; every later sighting must
// agree. By induction on the index this is exactly Log Matching, and each entry of each log is looked at once
// (a log that was truncated or replaced, e.g. after a restart, is looked at again from the start).
import type { Entry, NodeId, RaftLogView } from '../types';
import { sameEntry } from './entry-equality';
import type { MemberSample } from './sample';
import { violation, type RaftViolation } from './violation';

interface Sighting {
  readonly term: number;
  readonly prevTerm: number;
  readonly entry: Entry;
  readonly member: NodeId;
  readonly where: 'in-memory' | 'durable';
}

class Cursor {
  log: RaftLogView | null = null;
  truncations = 0;
  checked = 0;
}

export class LogMatching {
  /** byIndex[i]: the distinct terms seen at index i (almost always one). */
  private readonly byIndex: Sighting[][] = [];
  private readonly memory: Cursor[] = [];
  private readonly durable: Cursor[] = [];

  observe(s: MemberSample): RaftViolation | null {
    const p = s.pos;
    const id = s.member.id;
    if (s.log !== null) {
      const v = this.scan(s.log, (this.memory[p] ??= new Cursor()), id, 'in-memory');
      if (v) return v;
    }
    return s.durable === null ? null : this.scan(s.durable, (this.durable[p] ??= new Cursor()), id, 'durable');
  }

  private scan(log: RaftLogView, c: Cursor, member: NodeId, where: Sighting['where']): RaftViolation | null {
    const last = log.lastIndex();
    if (c.log !== log || c.truncations !== log.truncations() || last < c.checked) {
      c.log = log;
      c.truncations = log.truncations();
      c.checked = 0;
    }
    for (let i = c.checked + 1; i <= last; i++) {
      const e = log.entry(i)!;
      const v = this.register(i, e, log.term(i - 1), member, where);
      if (v) return v;
      c.checked = i;
    }
    return null;
  }

  private register(index: number, e: Entry, prevTerm: number, member: NodeId, where: Sighting['where']): RaftViolation | null {
    if (e.index !== index) {
      return violation('Log Matching', `the ${where} log of member ${member} holds an entry with index ${e.index} at position ${index}`, [member], e.term, index);
    }
    let seen = this.byIndex[index];
    if (seen === undefined) {
      seen = [];
      this.byIndex[index] = seen;
    }
    for (let k = 0; k < seen.length; k++) {
      const s = seen[k]!;
      if (s.term !== e.term) continue;
      if (s.prevTerm !== prevTerm) {
        return violation(
          'Log Matching',
          `member ${s.member} (${s.where} log) and member ${member} (${where} log) both hold index ${index} term ${e.term}, ` +
            `but their logs differ at index ${index - 1} (term ${s.prevTerm} vs ${prevTerm})`,
          s.member === member ? [member] : [s.member, member],
          e.term,
          index - 1,
        );
      }
      if (!sameEntry(s.entry, e)) {
        return violation(
          'Log Matching',
          `member ${s.member} (${s.where} log) and member ${member} (${where} log) hold different entries at index ${index} in term ${e.term}`,
          s.member === member ? [member] : [s.member, member],
          e.term,
          index,
        );
      }
      return null;
    }
    seen.push({ term: e.term, prevTerm, entry: e, member, where });
    return null;
  }
}
