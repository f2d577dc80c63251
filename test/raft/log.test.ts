// RaftLog (etcd-io/raft log_test.go / log_unstable_test.go in spirit).
import { describe, expect, it } from 'vitest';
import { RaftLog } from '../../src/raft/log';
import { entries } from './core/helpers';

const terms = (log: RaftLog) => log.allEntries().map((e) => e.term);

describe('RaftLog', () => {
  it('findConflict (TestFindConflict): first new or conflicting index, 0 if all present', () => {
    const log = new RaftLog(entries([1, 2, 3]), 0);
    const cases: [number, number[], number][] = [
      [1, [], 0],
      [1, [1, 2, 3], 0],
      [2, [2, 3], 0],
      [3, [3], 0],
      [1, [1, 2, 3, 4, 4], 4],
      [2, [2, 3, 4, 5], 4],
      [4, [4, 4], 4],
      [1, [4, 4], 1],
      [2, [1, 4, 4], 2],
      [3, [1, 2, 4, 4], 3],
    ];
    for (const [from, t, want] of cases) expect(log.findConflict(entries(t, from)), `${from}:${t}`).toBe(want);
  });

  it('findConflictByTerm: the largest index <= i whose term is <= t', () => {
    const log = new RaftLog(entries([1, 2, 2, 4, 4, 5]), 0);
    expect(log.findConflictByTerm(6, 4)).toBe(5);
    expect(log.findConflictByTerm(6, 3)).toBe(3);
    expect(log.findConflictByTerm(6, 1)).toBe(1);
    expect(log.findConflictByTerm(6, 0)).toBe(0);
    expect(log.findConflictByTerm(10, 9)).toBe(6);
    expect(log.findConflictByTerm(2, 9)).toBe(2);
  });

  it('maybeAppend (TestLogMaybeAppend): match check, conflict resolution, commit capped at the last new entry', () => {
    const mk = () => new RaftLog(entries([1, 2, 3]), 1);
    // prev mismatch
    expect(mk().maybeAppend(3, 2, 3, entries([4], 4))).toBe(-1);
    expect(mk().maybeAppend(4, 4, 3, entries([4], 5))).toBe(-1);
    // match, no new entries: commit to min(commit, lastNew)
    let log = mk();
    expect(log.maybeAppend(3, 3, 3, [])).toBe(3);
    expect(log.committed).toBe(3);
    log = mk();
    expect(log.maybeAppend(2, 2, 3, [])).toBe(2);
    expect(log.committed).toBe(2);
    // append new
    log = mk();
    expect(log.maybeAppend(3, 3, 5, entries([4, 4], 4))).toBe(5);
    expect(terms(log)).toEqual([1, 2, 3, 4, 4]);
    expect(log.committed).toBe(5);
    // conflict replaces the suffix and counts a truncation
    log = mk();
    expect(log.maybeAppend(1, 1, 2, entries([4], 2))).toBe(2);
    expect(terms(log)).toEqual([1, 4]);
    expect(log.truncations()).toBe(1);
    // a matching prefix does not truncate
    log = mk();
    expect(log.maybeAppend(1, 1, 0, entries([2], 2))).toBe(2);
    expect(terms(log)).toEqual([1, 2, 3]);
    expect(log.truncations()).toBe(0);
    // conflicting with a committed entry is a bug
    expect(() => mk().maybeAppend(0, 0, 0, entries([9], 1))).toThrow(/conflicts with committed entry/);
  });

  it('the truncateWithoutConflict bug drops the entries after a matching MsgApp (test-only)', () => {
    const log = new RaftLog(entries([1, 2, 3]), 0);
    expect(log.maybeAppend(1, 1, 0, entries([2], 2), true)).toBe(2);
    expect(terms(log)).toEqual([1, 2]);
    expect(log.truncations()).toBe(1);
  });

  it('unstable entries: handed out once, durable on stableTo with a matching term, re-handed after a truncation', () => {
    const log = new RaftLog(entries([1]), 0);
    expect(log.hasNextUnstableEnts()).toBe(false);
    log.append(entries([1, 1], 2));
    expect(log.nextUnstableEnts().map((e) => e.index)).toEqual([2, 3]);
    log.acceptUnstable();
    expect(log.hasNextUnstableEnts()).toBe(false);
    expect(log.hasUnstable()).toBe(true);
    log.stableTo(3, 2); // wrong term: ignored
    expect(log.stableIndex()).toBe(1);
    log.stableTo(3, 1);
    expect(log.stableIndex()).toBe(3);
    log.append(entries([2], 3)); // replaces index 3
    expect(log.stableIndex()).toBe(2);
    expect(log.nextUnstableEnts().map((e) => [e.index, e.term])).toEqual([[3, 2]]);
  });

  it('commit never decreases and never passes the last index; apply stays within commit', () => {
    const log = new RaftLog(entries([1, 1, 1]), 2);
    log.commitTo(1);
    expect(log.committed).toBe(2);
    expect(() => log.commitTo(4)).toThrow(/out of range \[lastIndex\(3\)\]/);
    expect(log.maybeCommit(3, 2)).toBe(false); // not of that term
    expect(log.maybeCommit(3, 1)).toBe(true);
    expect(log.nextCommittedEnts().map((e) => e.index)).toEqual([1, 2, 3]);
    log.acceptApplying(3);
    expect(log.hasNextCommittedEnts()).toBe(false);
    log.appliedTo(3);
    expect(() => log.appliedTo(2)).toThrow(/applied\(2\) is out of range/);
  });

  it('isUpToDate compares the last term, then the last index (§5.4.1)', () => {
    const log = new RaftLog(entries([1, 2, 2]), 0);
    expect(log.isUpToDate(3, 2)).toBe(true);
    expect(log.isUpToDate(2, 2)).toBe(false);
    expect(log.isUpToDate(1, 3)).toBe(true);
    expect(log.isUpToDate(9, 1)).toBe(false);
  });

  it('append refuses gaps and rewriting committed entries', () => {
    const log = new RaftLog(entries([1, 1]), 1);
    expect(() => log.append(entries([1], 4))).toThrow(/gap/);
    expect(() => log.append(entries([2], 1))).toThrow(/out of range \[committed\(1\)\]/);
  });
});
