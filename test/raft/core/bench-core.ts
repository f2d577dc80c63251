// Micro-benchmark of the Raft core alone (no engine, no network model): idle 3- and 5-member clusters ticked
// every 100 simulated ms, with and without the safety checkers after every message; and 100 writes/s.
// Not a test (no timing assertions). Run: node --import tsx test/raft/core/bench-core.ts
// (src/bench belongs to the engine's benchmark suite; `npm run bench` covers the whole control plane.)
import { RawNode } from '../../../src/raft/rawnode';
import { RaftSafetyChecker } from '../../../src/raft/checkers';
import type { ConfChange, Entry, RaftMessage } from '../../../src/raft/types';
import { DurableLog } from './network';

function cluster(n: number, withChecker: boolean) {
  let s = 42;
  const random = () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  const cfg = { electionTick: 10, heartbeatTick: 1, preVote: true, checkQuorum: true, maxInflightMsgs: 512, maxEntriesPerMsg: 1000, random };
  const nodes = ids.map((id) => RawNode.bootstrap({ id, ...cfg }, ids.map((i) => ({ id: i }))));
  const durable = ids.map(() => new DurableLog());
  const applied: Entry[][] = ids.map(() => []);
  const view = {
    members: ids.map((id, i) => ({
      id,
      name: `m${id}`,
      node: () => nodes[i]!,
      durableLog: () => durable[i]!,
      appliedIndex: () => applied[i]!.length,
      appliedEntry: (x: number) => applied[i]![x - 1],
    })),
  };
  const checker = withChecker ? new RaftSafetyChecker(view) : null;
  const queue: RaftMessage[] = [];
  const flush = (i: number) => {
    const rn = nodes[i]!;
    while (rn.hasReady()) {
      const rd = rn.ready();
      if (rd.hardState) durable[i]!.hardState = rd.hardState;
      durable[i]!.append(rd.entries);
      for (const m of rd.messages) queue.push(m);
      for (const e of rd.committedEntries) {
        if (e.type === 'conf-change') rn.applyConfChange(e.data as ConfChange);
        applied[i]!.push(e);
      }
      rn.advance(rd);
    }
  };
  const pump = () => {
    for (let i = 0; i < n; i++) flush(i);
    for (let h = 0; h < queue.length; h++) {
      const m = queue[h]!;
      nodes[m.to - 1]!.step(m);
      flush(m.to - 1);
      if (checker && checker.check()) throw new Error(checker.check()!.message);
    }
    queue.length = 0;
  };
  const tickAll = () => {
    for (const rn of nodes) rn.tick();
    pump();
  };
  pump();
  for (let i = 0; i < 100; i++) tickAll();
  return { nodes, pump, tickAll };
}

for (const n of [3, 5]) {
  for (const withChecker of [false, true]) {
    const c = cluster(n, withChecker);
    const rounds = 200_000;
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) c.tickAll();
    const ms = performance.now() - t0;
    console.log(
      `${n} members idle, checkers ${withChecker ? 'on ' : 'off'}: ${((ms * 1000) / rounds).toFixed(2)} us per tick round -> ` +
        `${(rounds / 10 / (ms / 1000)).toFixed(0)}x real time (core only, 100 ms ticks)`,
    );
  }
}
{
  const c = cluster(3, true);
  const leader = c.nodes.find((x) => x.status().role === 'leader')!;
  const rounds = 10_000;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    for (let w = 0; w < 10; w++) {
      leader.propose({ key: 'k', value: i });
      c.pump();
    }
    c.tickAll();
  }
  const ms = performance.now() - t0;
  console.log(`3 members, 100 writes/s, checkers on: ${((ms * 1000) / (rounds * 10)).toFixed(2)} us per write -> ${(rounds / 10 / (ms / 1000)).toFixed(0)}x real time`);
}
