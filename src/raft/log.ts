// The Raft log of one member (etcd-io/raft log.go + log_unstable.go), held whole in memory: index i is at
// ents[i - 1]. There is no compaction or snapshot, so the stable storage etcd-io/raft reads through its Storage
// interface is simply the prefix up to `stable`; the rest is "unstable" (handed to the driver in Ready.entries
// and acknowledged by advance()).
//
//   1 ............ stable ............ inProgress ............ lastIndex
//   [ durable, acknowledged ] [ handed out, being persisted ] [ not yet handed out ]
import type { Entry, RaftLogView } from './types';

const NO_ENTRIES: readonly Entry[] = [];

export class RaftLog implements RaftLogView {
  private ents: Entry[];
  /** Highest index known to be on a quorum's stable storage. */
  committed: number;
  /** Highest index handed to the application to apply (Ready.committedEntries). */
  applying: number;
  /** Highest index the application has applied (acknowledged by advance()). */
  applied: number;
  /** Highest index acknowledged as durable by the driver (etcd: unstable.offset - 1). */
  private stable: number;
  /** Highest index handed out for persistence (etcd: unstable.offsetInProgress - 1). */
  private inProgress: number;
  private truncated = 0;

  /** A log restored from stable storage: every entry given is durable. */
  constructor(durable: readonly Entry[], committed: number) {
    for (let i = 0; i < durable.length; i++) {
      const e = durable[i]!;
      if (e.index !== i + 1) {
        throw new Error(`raft log: stored entry ${i} has index ${e.index}, want ${i + 1} (entries must start at 1, contiguous)`);
      }
      if (i > 0 && e.term < durable[i - 1]!.term) {
        throw new Error(`raft log: stored entry ${e.index} has term ${e.term} below the previous entry's ${durable[i - 1]!.term}`);
      }
    }
    if (committed < 0 || committed > durable.length) {
      throw new Error(`raft log: state.commit ${committed} is out of range [0, ${durable.length}]`);
    }
    this.ents = durable.slice();
    this.committed = committed;
    this.applying = 0;
    this.applied = 0;
    this.stable = durable.length;
    this.inProgress = durable.length;
  }

  // ------------------------------------------------------------------------------------------ RaftLogView

  lastIndex(): number {
    return this.ents.length;
  }

  term(index: number): number {
    if (index <= 0 || index > this.ents.length) return 0;
    return this.ents[index - 1]!.term;
  }

  entry(index: number): Entry | undefined {
    if (index <= 0 || index > this.ents.length) return undefined;
    return this.ents[index - 1];
  }

  truncations(): number {
    return this.truncated;
  }

  // ------------------------------------------------------------------------------------------ queries

  lastTerm(): number {
    return this.term(this.ents.length);
  }

  matchTerm(index: number, term: number): boolean {
    if (index === 0) return term === 0;
    if (index < 0 || index > this.ents.length) return false;
    return this.ents[index - 1]!.term === term;
  }

  /** Whether a log ending at (lastIndex, lastTerm) is at least as up-to-date as this one (Raft §5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.ents.length);
  }

  /**
   * The index of the first of `ents` that is new or conflicts (same index, other term) with this log; 0 if this
   * log already holds all of them.
   */
  findConflict(ents: readonly Entry[]): number {
    for (let i = 0; i < ents.length; i++) {
      const e = ents[i]!;
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term` (the best guess of where this log stops matching a log
   * that has `term` at `index`). Returns the index; its term is `this.term(result)`.
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.ents.length);
    for (; i > 0; i--) {
      if (this.ents[i - 1]!.term <= term) return i;
    }
    return 0;
  }

  /** Entries [lo, hi) (hi exclusive), at most `maxEntries` of them. No copy when empty. */
  slice(lo: number, hi: number, maxEntries: number): readonly Entry[] {
    if (lo > hi) throw new Error(`raft log: invalid slice ${lo} > ${hi}`);
    if (lo < 1 || hi > this.ents.length + 1) {
      throw new Error(`raft log: slice [${lo}, ${hi}) out of bound [1, ${this.ents.length}]`);
    }
    if (lo === hi) return NO_ENTRIES;
    return this.ents.slice(lo - 1, Math.min(hi, lo + maxEntries) - 1);
  }

  /** Entries from `from` to the end, at most `maxEntries`. */
  entriesFrom(from: number, maxEntries: number): readonly Entry[] {
    if (from > this.ents.length) return NO_ENTRIES;
    return this.slice(from, this.ents.length + 1, maxEntries);
  }

  /** Every entry (for tests and debugging: a copy). */
  allEntries(): readonly Entry[] {
    return this.ents.slice();
  }

  // ------------------------------------------------------------------------------------------ appending

  /**
   * A follower's append (AppendEntries receiver): if this log has (prevIndex, prevTerm), make it hold `ents`
   * after it and advance the commit index to min(leaderCommit, last new index). Returns the last new index, or
   * -1 if the log does not match at prevIndex. With `truncateWithoutConflict` (a test-only bug) the log is
   * replaced from the first entry even when it matches, losing any entries after the message's last.
   */
  maybeAppend(prevIndex: number, prevTerm: number, leaderCommit: number, ents: readonly Entry[], truncateWithoutConflict = false): number {
    if (!this.matchTerm(prevIndex, prevTerm)) return -1;
    const lastNew = prevIndex + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      if (ci <= this.committed) {
        throw new Error(`raft log: entry ${ci} conflicts with committed entry [committed(${this.committed})]`);
      }
      const offset = prevIndex + 1;
      this.append(ci === offset ? ents : ents.slice(ci - offset));
    } else if (truncateWithoutConflict && ents.length > 0 && ents[0]!.index > this.committed && this.ents.length > lastNew) {
      this.append(ents);
    }
    this.commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /** Appends entries whose first index may be <= lastIndex + 1, replacing any suffix from there. */
  append(ents: readonly Entry[]): number {
    if (ents.length === 0) return this.ents.length;
    const from = ents[0]!.index;
    if (from - 1 < this.committed) {
      throw new Error(`raft log: after(${from - 1}) is out of range [committed(${this.committed})]`);
    }
    if (from > this.ents.length + 1) {
      throw new Error(`raft log: append at ${from} leaves a gap after lastIndex ${this.ents.length}`);
    }
    if (from <= this.ents.length) {
      this.ents.length = from - 1;
      this.truncated++;
      if (this.stable > from - 1) this.stable = from - 1;
      if (this.inProgress > from - 1) this.inProgress = from - 1;
    }
    for (let i = 0; i < ents.length; i++) {
      const e = ents[i]!;
      if (e.index !== from + i) throw new Error(`raft log: appended entries not contiguous at ${e.index}`);
      this.ents.push(e);
    }
    return this.ents.length;
  }

  // ------------------------------------------------------------------------------------------ commit / apply

  commitTo(index: number): void {
    if (this.committed >= index) return; // never decrease commit
    if (index > this.ents.length) {
      throw new Error(`raft log: tocommit(${index}) is out of range [lastIndex(${this.ents.length})]. Was the raft log corrupted, truncated, or lost?`);
    }
    this.committed = index;
  }

  /** Commits `index` if it holds an entry of `term` (a leader commits only entries of its own term). */
  maybeCommit(index: number, term: number): boolean {
    if (term !== 0 && index > this.committed && this.matchTerm(index, term)) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  appliedTo(index: number): void {
    if (index > this.committed || index < this.applied) {
      throw new Error(`raft log: applied(${index}) is out of range [prevApplied(${this.applied}), committed(${this.committed})]`);
    }
    this.applied = index;
    if (this.applying < index) this.applying = index;
  }

  hasNextCommittedEnts(): boolean {
    return this.applying < this.committed;
  }

  /** Committed entries not yet handed out for applying (empty array constant when none). */
  nextCommittedEnts(): readonly Entry[] {
    if (this.applying >= this.committed) return NO_ENTRIES;
    return this.ents.slice(this.applying, this.committed);
  }

  acceptApplying(index: number): void {
    if (index > this.committed) {
      throw new Error(`raft log: applying(${index}) is out of range [prevApplying(${this.applying}), committed(${this.committed})]`);
    }
    this.applying = index;
  }

  // ------------------------------------------------------------------------------------------ persistence

  hasNextUnstableEnts(): boolean {
    return this.inProgress < this.ents.length;
  }

  /** Entries to hand out for persistence: after those already in progress. */
  nextUnstableEnts(): readonly Entry[] {
    if (this.inProgress >= this.ents.length) return NO_ENTRIES;
    return this.ents.slice(this.inProgress);
  }

  /** Whether any entry is not yet acknowledged durable (handed out or not). */
  hasUnstable(): boolean {
    return this.stable < this.ents.length;
  }

  /** The driver took the unstable entries to persist them. */
  acceptUnstable(): void {
    this.inProgress = this.ents.length;
  }

  /**
   * The driver made entries up to (index, term) durable. Ignored if that entry was replaced meanwhile (its term
   * differs) or is already stable, as etcd's unstable.stableTo.
   */
  stableTo(index: number, term: number): void {
    if (index <= this.stable || index > this.ents.length) return;
    if (this.ents[index - 1]!.term !== term) return;
    this.stable = index;
    if (this.inProgress < index) this.inProgress = index;
  }

  stableIndex(): number {
    return this.stable;
  }
}
