// Each property of RaftSafetyChecker on a hand-made cluster view: it finds the violation, names the property,
// the term/index and the members, and stays quiet on a legal history.
import { describe, expect, it } from 'vitest';
import { ALL_RAFT_PROPERTIES, RaftSafetyChecker, type RaftClusterView, type RaftMemberView } from '../../../src/raft/checkers';
import { Engine } from '../../../src/sim/engine';
import type { Entry, NodeId, RaftLogView, RaftRole, RaftStatus, RawNodeApi } from '../../../src/raft/types';

class FakeLog implements RaftLogView {
  truncated = 0;
  constructor(public ents: Entry[] = []) {}
  lastIndex(): number {
    return this.ents.length;
  }
  term(i: number): number {
    return this.ents[i - 1]?.term ?? 0;
  }
  entry(i: number): Entry | undefined {
    return this.ents[i - 1];
  }
  truncations(): number {
    return this.truncated;
  }
  /** Replace everything from `from` (counted as a truncation when it removes entries). */
  replace(from: number, terms: number[], tag = ''): void {
    if (from <= this.ents.length) this.truncated++;
    this.ents.length = from - 1;
    terms.forEach((t, k) => this.ents.push(e(from + k, t, tag)));
  }
}

function e(index: number, term: number, tag = ''): Entry {
  return { index, term, type: 'normal', data: `${tag}${index}@${term}` };
}

class FakeMember implements RaftMemberView {
  readonly name: string;
  up = true;
  role: RaftRole = 'follower';
  term = 1;
  commit = 0;
  mem = new FakeLog();
  durable = new FakeLog();
  applied: Entry[] = [];
  private statusObj: RaftStatus | null = null;
  constructor(readonly id: NodeId) {
    this.name = `host-${id}`;
  }
  node(): RawNodeApi | null {
    if (!this.up) return null;
    const status = (): RaftStatus => {
      const s = { id: this.id, term: this.term, vote: 0, commit: this.commit, applied: this.applied.length, lead: 0, role: this.role, lastIndex: this.mem.lastIndex() };
      this.statusObj = s;
      return s;
    };
    return { status, log: () => this.mem } as unknown as RawNodeApi;
  }
  durableLog(): RaftLogView {
    return this.durable;
  }
  appliedIndex(): number {
    return this.applied.length;
  }
  appliedEntry(i: number): Entry | undefined {
    return this.applied[i - 1];
  }
  /** Same log in memory and on disk. */
  setLog(terms: number[], tag = ''): void {
    this.mem = new FakeLog(terms.map((t, i) => e(i + 1, t, tag)));
    this.durable = new FakeLog(terms.map((t, i) => e(i + 1, t, tag)));
  }
  lastStatus(): RaftStatus | null {
    return this.statusObj;
  }
}

function cluster(n: number): { view: RaftClusterView; m: FakeMember[]; checker: RaftSafetyChecker } {
  const m = Array.from({ length: n }, (_, i) => new FakeMember(i + 1));
  const view = { members: m };
  return { view, m, checker: new RaftSafetyChecker(view) };
}

describe('RaftSafetyChecker', () => {
  it('is quiet on a legal history', () => {
    const { m, checker } = cluster(3);
    for (const x of m) x.setLog([1, 1]);
    m[0]!.role = 'leader';
    m[0]!.commit = 2;
    expect(checker.check()).toBeNull();
    m[0]!.role = 'follower';
    m[1]!.role = 'leader';
    m[1]!.term = 2;
    m[1]!.mem.replace(3, [2]);
    expect(checker.check()).toBeNull();
    expect(checker.checks).toBe(2);
  });

  it('Election Safety: two leaders of one term, even at different times', () => {
    const { m, checker } = cluster(3);
    m[0]!.role = 'leader';
    m[0]!.term = 4;
    expect(checker.check()).toBeNull();
    m[0]!.role = 'follower';
    m[0]!.term = 5;
    m[2]!.role = 'leader';
    m[2]!.term = 4;
    const v = checker.check()!;
    expect(v.property).toBe('Election Safety');
    expect(v.message).toBe('Election Safety violated: members 1 and 3 were both leader in term 4');
    expect(v.members).toEqual([1, 3]);
    expect(v.term).toBe(4);
    // sticky
    m[2]!.role = 'follower';
    expect(checker.check()).toBe(v);
  });

  it('Leader Append-Only: a leader whose log lost or changed entries', () => {
    const { m, checker } = cluster(3);
    m[0]!.setLog([1, 1, 1]);
    m[0]!.role = 'leader';
    expect(checker.check()).toBeNull();
    m[0]!.mem.replace(3, [1]); // same length and term, but a truncation happened
    const v = checker.check()!;
    expect(v.property).toBe('Leader Append-Only');
    expect(v.message).toMatch(/leader 1 of term 1 removed or overwrote entries of its log: it held index 3 \(term 1\)/);
    expect(v.index).toBe(3);
  });

  it('Log Matching: same index and term, different history (in-memory vs durable logs of different members)', () => {
    const { m, checker } = cluster(3);
    m[0]!.setLog([1, 1, 2]);
    expect(checker.check()).toBeNull();
    m[1]!.mem = new FakeLog([e(1, 1), e(2, 2), e(3, 2)]); // index 3 term 2 after term 2, not term 1
    const v = checker.check()!;
    expect(v.property).toBe('Log Matching');
    expect(v.message).toBe(
      'Log Matching violated: member 1 (in-memory log) and member 2 (in-memory log) both hold index 3 term 2, but their logs differ at index 2 (term 1 vs 2)',
    );
    expect(v.members).toEqual([1, 2]);
  });

  it('Log Matching: different entries at the same index and term', () => {
    const { m, checker } = cluster(3);
    m[0]!.setLog([1, 1]);
    m[2]!.durable = new FakeLog([e(1, 1), e(2, 1, 'other-')]);
    const v = checker.check()!;
    expect(v.message).toBe('Log Matching violated: member 1 (in-memory log) and member 3 (durable log) hold different entries at index 2 in term 1');
  });

  it('State Machine Safety: two members commit different entries at one index', () => {
    const { m, checker } = cluster(3);
    m[0]!.setLog([1, 1]);
    m[0]!.commit = 2;
    expect(checker.check()).toBeNull();
    m[1]!.setLog([1, 2]);
    m[1]!.commit = 2;
    const v = checker.check()!;
    expect(v.message).toBe("State Machine Safety violated: members 1 and 2 committed different entries at index 2 (term 1 vs term 2)");
    expect(v.property).toBe('State Machine Safety');
  });

  it('State Machine Safety: two members apply different entries at one index; a restarted member re-applying is checked again', () => {
    const { m, checker } = cluster(3);
    const props = { properties: ['State Machine Safety'] as const };
    const only = new RaftSafetyChecker({ members: m }, props);
    m[0]!.applied = [e(1, 1), e(2, 1)];
    m[1]!.applied = [e(1, 1)];
    expect(only.check()).toBeNull();
    // member 2 restarts (applied drops) and re-applies a different entry at index 1
    m[1]!.applied = [];
    expect(only.check()).toBeNull();
    m[1]!.applied = [e(1, 3)];
    const v = only.check()!;
    expect(v.message).toBe('State Machine Safety violated: member 1 applied index 1 term 1 but member 2 applied index 1 term 3');
    expect(checker.checks).toBe(0);
  });

  it('Leader Completeness: a new leader lacking an entry committed in an earlier term', () => {
    const { m, checker } = cluster(3);
    for (const x of m) x.setLog([1, 1]);
    m[0]!.role = 'leader';
    m[0]!.commit = 2;
    expect(checker.check()).toBeNull();
    m[0]!.role = 'follower';
    m[2]!.mem = new FakeLog([e(1, 1), e(2, 2)]);
    m[2]!.role = 'leader';
    m[2]!.term = 3;
    const v = checker.check()!;
    expect(v.property).toBe('Leader Completeness');
    expect(v.message).toBe(
      'Leader Completeness violated: member 3 is leader of term 3 without the entry at index 2 (term 1) committed (seen committed on member 1); its log has term 2 there',
    );
    expect(v.members).toEqual([3, 1]);
    expect([v.term, v.index]).toEqual([3, 2]);
  });

  it('Committed Durability: a committed entry must stay on a quorum of durable logs, across crashes', () => {
    const { m, checker } = cluster(3);
    for (const x of m) x.setLog([1, 1]);
    m[0]!.role = 'leader';
    m[0]!.commit = 2;
    expect(checker.check()).toBeNull();
    // the leader crashes: its durable log still counts
    m[0]!.up = false;
    expect(checker.check()).toBeNull();
    // a member's durable log loses index 2
    m[1]!.durable.replace(2, []);
    expect(checker.check()).toBeNull(); // 1 and 3 still hold it
    m[2]!.durable.replace(2, [2]);
    const v = checker.check()!;
    expect(v.property).toBe('Committed Durability');
    expect(v.message).toBe(
      'Committed Durability violated: the entry at index 2 (term 1), committed by leader 1, is on the durable logs of only 1 of 3 members (member 1), below a quorum of 2; missing from members 2 and 3',
    );
    expect(v.members).toEqual([2, 3]);
  });

  it('entries committed by fiat at bootstrap are not held to durability before a leader commits', () => {
    const { m, checker } = cluster(3);
    for (const x of m) {
      x.mem = new FakeLog([e(1, 1), e(2, 1), e(3, 1)]);
      x.commit = 3;
    }
    expect(checker.check()).toBeNull();
  });

  it('runs as an engine invariant: the first violation stops the run naming the property and the hosts', () => {
    const { m, checker } = cluster(3);
    const engine = new Engine({ seed: 7 });
    engine.addInvariant(checker.invariant());
    engine.schedule(1000, () => {
      m[0]!.role = 'leader';
      m[1]!.role = 'leader';
    });
    engine.runUntil(10_000);
    expect(engine.violation).toMatchObject({
      invariant: 'raft-safety',
      message: 'Election Safety violated: members 1 and 2 were both leader in term 1',
      hosts: ['host-1', 'host-2'],
      timeUs: 1000,
    });
  });

  it('rejects unknown property names', () => {
    expect(() => new RaftSafetyChecker({ members: [] }, { properties: ['Quorum Happiness' as never] })).toThrow(/unknown property/);
    expect(ALL_RAFT_PROPERTIES).toHaveLength(6);
  });
});
