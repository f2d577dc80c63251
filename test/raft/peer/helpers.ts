// Verbs for black-box peer tests on real etcd members, after etcd-io/raft's test network (cut, isolate, recover)
// and the MIT 6.5840 lab's harness (connect/disconnect, checkOneLeader, one()).
import { expect } from 'vitest';
import type { CallOutcome, TestCluster } from '../server/fixture';
import { runFor, runUntilTrue } from '../server/fixture';

/** Which members are connected to each other (the client reaches every member regardless). */
export class Connectivity {
  private readonly up: boolean[];

  constructor(private readonly c: TestCluster) {
    this.up = c.names.map(() => true);
  }

  disconnect(i: number): void {
    this.up[i] = false;
    this.apply();
  }

  connect(i: number): void {
    this.up[i] = true;
    this.apply();
  }

  connectAll(): void {
    this.up.fill(true);
    this.apply();
  }

  /** Members in different groups cannot talk; members not listed are disconnected from everyone. */
  partition(...groups: number[][]): void {
    const net = this.c.sim.network;
    net.heal();
    const group = new Map<number, number>();
    groups.forEach((g, gi) => g.forEach((m) => group.set(m, gi)));
    for (let a = 0; a < this.c.names.length; a++) {
      for (let b = 0; b < this.c.names.length; b++) {
        if (a !== b && (group.get(a) === undefined || group.get(a) !== group.get(b))) net.cut(this.c.hosts[a]!, this.c.hosts[b]!);
      }
    }
    for (let i = 0; i < this.up.length; i++) this.up[i] = group.has(i);
  }

  isConnected(i: number): boolean {
    return this.up[i]!;
  }

  private apply(): void {
    const net = this.c.sim.network;
    net.heal();
    for (let a = 0; a < this.c.names.length; a++) {
      for (let b = 0; b < this.c.names.length; b++) {
        if (a !== b && (!this.up[a] || !this.up[b])) net.cut(this.c.hosts[a]!, this.c.hosts[b]!);
      }
    }
  }
}

/** The running leaders among `members` (index -> term). */
export function leadersAmong(c: TestCluster, members: readonly number[]): Array<{ index: number; term: number }> {
  const out: Array<{ index: number; term: number }> = [];
  for (const i of members) {
    const st = c.observer.members.find((m) => m.name === c.names[i])!.node()?.status();
    if (st?.role === 'leader') out.push({ index: i, term: st.term });
  }
  return out;
}

/** MIT checkOneLeader: within `limitUs`, exactly one leader at the newest term among `members`; returns it. */
export function checkOneLeader(c: TestCluster, members: readonly number[], limitUs = 10_000_000): number {
  let found = -1;
  runUntilTrue(
    c,
    () => {
      const leaders = leadersAmong(c, members);
      if (leaders.length === 0) return false;
      const top = Math.max(...leaders.map((l) => l.term));
      const atTop = leaders.filter((l) => l.term === top);
      expect(atTop.length, `term ${top} has ${atTop.length} leaders`).toBe(1);
      // Stable: every member of the group follows it.
      const leader = atTop[0]!;
      const lead = c.observer.member(c.names[leader.index]!).id;
      const all = members.every((i) => c.observer.member(c.names[i]!).node()?.status().lead === lead);
      if (all) found = leader.index;
      return all;
    },
    limitUs,
  );
  return found;
}

/** MIT checkNoLeader: no member of `members` is leader. */
export function expectNoLeader(c: TestCluster, members: readonly number[]): void {
  expect(leadersAmong(c, members)).toEqual([]);
}

export function term(c: TestCluster, i: number): number {
  return c.observer.member(c.names[i]!).node()!.status().term;
}

/** Puts and runs until the call finishes. */
export function put(c: TestCluster, member: number, key: string, value: string, timeoutUs = 5_000_000): CallOutcome<'Put'> {
  const call = c.client.call(member, 'Put', { key, value }, timeoutUs);
  runUntilTrue(c, () => call.outcome.done, timeoutUs + 1_000_000, 1_000);
  return call.outcome;
}

/**
 * MIT one(): submit through members in turn until one acknowledges, then wait until every member of `expectOn`
 * has applied it. Returns the revision it was written at.
 */
export function one(c: TestCluster, key: string, value: string, expectOn: readonly number[], limitUs = 30_000_000): number {
  const end = c.sim.engine.nowUs + limitUs;
  let turn = 0;
  while (c.sim.engine.nowUs < end) {
    const member = expectOn[turn++ % expectOn.length]!;
    const out = put(c, member, key, value, 2_000_000);
    if (out.done && out.ok) {
      const rev = out.body.header.revision;
      runUntilTrue(
        c,
        () => expectOn.every((i) => c.observer.member(c.names[i]!).store()?.get(key)?.value === value),
        Math.max(1, end - c.sim.engine.nowUs),
      );
      return rev;
    }
    runFor(c, 100_000);
  }
  throw new Error(`one(${key}) failed to reach agreement`);
}

/** Every running member has the same KV history hash (and the same revision). */
export function expectConverged(c: TestCluster, members: readonly number[], limitUs = 30_000_000): void {
  runUntilTrue(
    c,
    () => {
      const hashes = members.map((i) => c.observer.member(c.names[i]!).store()?.hashKV());
      return hashes.every((h) => h !== undefined && h === hashes[0]);
    },
    limitUs,
    50_000,
  );
}
