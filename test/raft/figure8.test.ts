// The Raft paper's Figure 8 against the correct core: an entry from an earlier term that sits on a majority is
// not committed by counting replicas, so a later leader may (and does) overwrite it.
import { describe, expect, it } from 'vitest';
import { figure8 } from './core/scenarios';

describe('Figure 8 (Raft paper §5.4.2; etcd-io/raft TestLeaderOnlyCommitsLogFromCurrentTerm / TestCannotCommitWithoutNewTermEntry)', () => {
  it('index 2 of term 1 on a majority is not committed by the term-3 leader, and the term-4 leader overwrites it safely', () => {
    const { net, commitOfS1AfterC, holdersOfIndex2AfterC } = figure8();
    // (c): S1 led term 3 with index 2 (term 1) durable on S1..S4, a majority, yet did not commit it
    expect(holdersOfIndex2AfterC).toBe(4);
    expect(commitOfS1AfterC).toBe(1);
    // (d): S5 leads term 4; everyone alive now has S5's term-2 entry at index 2 and it is committed
    expect(net.node(5).status()).toMatchObject({ role: 'leader', term: 4 });
    for (const id of [2, 3, 4, 5]) {
      expect(net.logTerms(id), `S${id}`).toEqual([1, 2, 4]);
      expect(net.node(id).status().commit).toBe(3);
    }
    expect(net.violation).toBeNull();
  });
});
