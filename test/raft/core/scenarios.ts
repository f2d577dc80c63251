// Message sequences shared by the core tests and the checker tests: each is a real-world failure pattern, run
// once against the correct core (nothing may be violated) and once against a core with a test-only bug switched
// on (the checkers must name the broken property).
import type { RaftBugs, RaftMessage } from '../../../src/raft/types';
import { Network } from './network';

/**
 * The Raft paper's Figure 8 on five members (S1..S5), with terms shifted by one (no bootstrap):
 *  (a) S1 leads term 1 and replicates index 2 only to S2;
 *  (b) S1 crashes; S5 wins term 2 (S3, S4, S5) and appends index 2 (term 2) locally, then crashes;
 *  (c) S1 restarts and wins term 3; it replicates index 2 (term 1) to S3 and S4 — now on a majority — but its
 *      term-3 entry reaches no one; a correct leader does not commit index 2 by counting;
 *  (d) S1 crashes; S5 restarts and wins term 4 with S2, S3, S4 (its last term 2 beats their 1) and overwrites
 *      index 2 everywhere — safe only because index 2 was never committed.
 * Returns the network after (d) (or throws the checkers' violation).
 */
export function figure8(bugs?: RaftBugs): { net: Network; commitOfS1AfterC: number; holdersOfIndex2AfterC: number } {
  const net = new Network({ size: 5, bootstrap: false, maxEntriesPerMsg: 1, bugs });
  // (a)
  net.campaign(1);
  net.cut(1, 3);
  net.cut(1, 4);
  net.cut(1, 5);
  net.propose(1, 'x@1');
  // (b)
  net.crash(1);
  net.recover();
  net.ignore('MsgApp');
  net.campaign(5);
  if (net.node(5).status().role !== 'leader') throw new Error('figure8 (b): S5 did not win term 2');
  net.crash(5);
  net.recover();
  // (c): S1 crashes before its term-3 entry gets out: every MsgApp that would deliver it is lost. Index 2 (term 1)
  // still reaches S3 and S4: they reject the first MsgApp (they lack index 2), are probed down and take index 2
  // alone (one entry per MsgApp).
  net.restart(1);
  net.msgHook = (m: RaftMessage) =>
    !(m.type === 'MsgApp' && m.entries.some((e) => e.term === 3) && net.member(m.to).rawNode?.log().term(m.index) === m.logTerm);
  net.campaign(1); // term 2: S3 and S4 voted for S5 in term 2
  net.campaign(1); // term 3
  if (net.node(1).status().role !== 'leader' || net.node(1).status().term !== 3) throw new Error('figure8 (c): S1 did not win term 3');
  const commitOfS1AfterC = net.node(1).status().commit;
  const holdersOfIndex2AfterC = net.members.filter((m) => m.durable.term(2) === 1).length;
  net.msgHook = null;
  // (d)
  net.crash(1);
  net.restart(5);
  net.campaign(5); // term 3: S2, S3, S4 voted for S1 in term 3
  net.campaign(5); // term 4
  net.tickAll(2);
  return { net, commitOfS1AfterC, holdersOfIndex2AfterC };
}
