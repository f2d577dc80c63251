// The safety checkers catch real-world Raft bugs: each test-only bug switch of the core (RaftConfig.bugs) is run
// through a message sequence that exposes it. The same sequence on the correct core violates nothing (control).
import { describe, expect, it } from 'vitest';
import { Network, SafetyViolationError } from '../core/network';
import { figure8 } from '../core/scenarios';
import type { RaftProperty, RaftViolation } from '../../../src/raft/checkers';
import type { MsgApp, RaftBugs, RaftMessage } from '../../../src/raft/types';

/** Runs `scenario`; returns the violation the checkers threw, or null. */
function violationOf(scenario: () => void): RaftViolation | null {
  try {
    scenario();
    return null;
  } catch (e) {
    if (e instanceof SafetyViolationError) return e.violation;
    throw e;
  }
}

function expectViolation(v: RaftViolation | null, property: RaftProperty, pattern: RegExp): void {
  expect(v, 'a violation').not.toBeNull();
  expect(v!.property).toBe(property);
  expect(v!.message).toMatch(new RegExp(`^${property} violated: `));
  expect(v!.message).toMatch(pattern);
}

/** Two candidates in term 1; member 2 grants both (voteTwicePerTerm). */
function dualCandidates(bugs?: RaftBugs): Network {
  const net = new Network({ size: 3, bootstrap: false, bugs });
  net.hup(1, 3);
  net.tickAll(2);
  return net;
}

/**
 * volatileVote: 1 and 3 campaign in term 1; 2 votes for 1, which wins. 3's vote request to 2 is delayed in the
 * network while 2 crashes and restarts, then delivered.
 */
function voteLostOnRestart(bugs?: RaftBugs): Network {
  const net = new Network({ size: 3, bootstrap: false, bugs, manual: true });
  net.hup(1, 3);
  const find = (pred: (m: RaftMessage) => boolean) => net.inflight.findIndex(pred);
  net.deliver(find((m) => m.type === 'MsgVote' && m.from === 1 && m.to === 2));
  net.deliver(find((m) => m.type === 'MsgVoteResp' && m.from === 2 && m.to === 1));
  if (net.node(1).status().role !== 'leader') throw new Error('member 1 should lead term 1');
  net.crash(2, true);
  net.restart(2);
  net.deliver(find((m) => m.type === 'MsgVote' && m.from === 3 && m.to === 2));
  const resp = find((m) => m.type === 'MsgVoteResp' && m.from === 2 && m.to === 3);
  if (resp >= 0) net.deliver(resp);
  return net;
}

/**
 * acceptStaleTermAppend: leader 1 (term 1) is cut off with a proposal; its MsgApp to 3 is delayed. 2 wins term 2
 * and commits its entry at index 2 with 3's acknowledgement, before 3 learns the new commit index. Then the stale
 * MsgApp arrives at 3.
 */
function staleAppend(bugs?: RaftBugs): Network {
  const net = new Network({ size: 3, bootstrap: false, bugs });
  net.campaign(1);
  let stale: MsgApp | null = null;
  net.msgHook = (m) => {
    if (m.type === 'MsgApp' && m.from === 1 && m.to === 3 && m.entries.length > 0) stale = m;
    return m.from !== 1;
  };
  net.propose(1, 'old');
  net.crash(1);
  // 3 acknowledges index 2 of term 2, but never hears that it is committed
  net.msgHook = (m) => !(m.type === 'MsgApp' && m.from === 2 && m.to === 3 && m.commit >= 2);
  net.ignore('MsgHeartbeat');
  net.campaign(2);
  if (net.node(2).status().commit !== 2 || net.node(3).status().commit !== 1) throw new Error('setup: want commit 2 on 2, 1 on 3');
  net.msgHook = null;
  net.send(stale!);
  return net;
}

/**
 * truncateWithoutConflict: leader 1 commits indexes 2 and 3 with 3's acknowledgements (2 is cut off), before 3
 * learns the commit; then a duplicate of the first MsgApp (entries [2]) arrives at 3 late.
 */
function duplicateAppend(bugs?: RaftBugs): Network {
  const net = new Network({ size: 3, bootstrap: false, bugs });
  net.campaign(1);
  net.isolate(2);
  let first: MsgApp | null = null;
  net.msgHook = (m) => {
    if (m.type === 'MsgApp' && m.to === 3 && m.entries.length > 0 && first === null) first = m;
    return !(m.type === 'MsgApp' && m.to === 3 && m.commit >= 2);
  };
  // both proposals leave before any acknowledgement comes back (so both MsgApps carry commit 1)
  net.manual = true;
  net.propose(1, 'a');
  net.propose(1, 'b');
  net.manual = false;
  net.deliverAll();
  if (net.node(1).status().commit !== 3 || net.node(3).status().commit !== 1) throw new Error('setup: want commit 3 on 1, 1 on 3');
  net.msgHook = null;
  net.send(first!);
  return net;
}

describe('the checkers catch the core’s test-only bugs', () => {
  it('voteTwicePerTerm -> Election Safety: two leaders in one term', () => {
    expect(violationOf(() => dualCandidates())).toBeNull();
    const v = violationOf(() => dualCandidates({ voteTwicePerTerm: true }));
    expectViolation(v, 'Election Safety', /members \d and \d were both leader in term 1/);
    expect([...v!.members].sort()).toEqual([1, 3]);
    expect(v!.term).toBe(1);
  });

  it('volatileVote -> Election Safety: a restarted member forgets its vote and votes again in the same term', () => {
    const ok = voteLostOnRestart();
    expect(ok.node(3).status().role).not.toBe('leader');
    const v = violationOf(() => voteLostOnRestart({ volatileVote: true }));
    expectViolation(v, 'Election Safety', /members 1 and 3 were both leader in term 1/);
  });

  it('commitPreviousTermByCounting -> Leader Completeness in the Figure 8 sequence', () => {
    expect(violationOf(() => figure8())).toBeNull();
    const v = violationOf(() => figure8({ commitPreviousTermByCounting: true }));
    expectViolation(v, 'Leader Completeness', /member 5 is leader of term 4 without the entry at index 2 \(term 1\) committed/);
    expect(v!.index).toBe(2);
    expect(v!.members).toContain(5);
  });

  it('acceptStaleTermAppend -> Committed Durability: a stale leader’s entry overwrites a committed one', () => {
    const ok = staleAppend();
    expect(ok.logTerms(3)).toEqual([1, 2]);
    const v = violationOf(() => staleAppend({ acceptStaleTermAppend: true }));
    expectViolation(v, 'Committed Durability', /the entry at index 2 \(term 2\), committed by leader 2, is on the durable logs of only 1 of 3 members \(member 2\)/);
    expect(v!.members).toEqual([1, 3]);
  });

  it('truncateWithoutConflict -> Committed Durability: a duplicate MsgApp erases acknowledged entries', () => {
    const ok = duplicateAppend();
    expect(ok.logTerms(3)).toEqual([1, 1, 1]);
    const v = violationOf(() => duplicateAppend({ truncateWithoutConflict: true }));
    expectViolation(v, 'Committed Durability', /index 3 \(term 1\), committed by leader 1, is on the durable logs of only 1 of 3 members/);
  });

  it('the bug switches are off unless set, per member', () => {
    const net = new Network({ size: 3, bootstrap: false, bugs: (id) => (id === 2 ? { voteTwicePerTerm: true } : undefined) });
    expect(net.raft(2).bugs.voteTwicePerTerm).toBe(true);
    expect(net.raft(1).bugs.voteTwicePerTerm).toBeUndefined();
  });
});
