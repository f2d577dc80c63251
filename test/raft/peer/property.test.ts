// Property: under random schedules of crashes (process and host), restarts, partitions, isolation and message loss
// over 3- and 5-member etcd clusters with a steady stream of client writes, every Raft safety checker holds after
// every event, and once the faults are healed every acknowledged write is present on every member (no acknowledged
// write is lost) and the members' stores are identical.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fault, FaultStep } from '../../../src/sim/faults';
import { formatPlan } from '../../../src/sim/faults';
import { runFor, runUntilTrue, startCluster } from '../server/fixture';

const CHAOS_US = 20_000_000;
const WRITE_EVERY_US = 150_000;

function faultArb(n: number): fc.Arbitrary<Fault[]> {
  const host = fc.integer({ min: 0, max: n - 1 }).map((i) => `etcd-${i}`);
  const downUs = fc.integer({ min: 0, max: 4_000 }).map((ms) => ms * 1000);
  return fc.oneof(
    fc.tuple(host, downUs).map(([h, d]): Fault[] => [{ kind: 'restart', host: h, downUs: d }]),
    fc.tuple(host, downUs).map(([h, d]): Fault[] => [{ kind: 'restart', host: h, process: 'etcd', downUs: d }]),
    fc.tuple(host).map(([h]): Fault[] => [{ kind: 'isolate', host: h }]),
    fc.shuffledSubarray(Array.from({ length: n }, (_, i) => `etcd-${i}`), { minLength: 1, maxLength: n - 1 }).map((side): Fault[] => [
      { kind: 'partition', groups: [side, Array.from({ length: n }, (_, i) => `etcd-${i}`).filter((h) => !side.includes(h))] },
    ]),
    fc.tuple(host, host, fc.integer({ min: 5, max: 50 })).map(([a, b, pct]): Fault[] =>
      a === b ? [{ kind: 'heal' }] : [{ kind: 'link', from: a, to: b, lossRate: pct / 100 }, { kind: 'link', from: b, to: a, lossRate: pct / 100 }],
    ),
    fc.constant<Fault[]>([{ kind: 'heal' }]),
    fc.constant<Fault[]>([{ kind: 'clear-link' }]),
  );
}

function planArb(n: number): fc.Arbitrary<FaultStep[]> {
  return fc
    .array(fc.tuple(fc.integer({ min: 500, max: CHAOS_US / 1000 }), faultArb(n)), { minLength: 1, maxLength: 12 })
    .map((steps) => steps.flatMap(([atMs, faults]) => faults.map((fault) => ({ atUs: atMs * 1000, fault }))).sort((a, b) => a.atUs - b.atUs));
}

function runSchedule(n: number, seed: number, plan: FaultStep[]): void {
  const c = startCluster({ seed, members: n });
  c.sim.faults.schedule(plan);
  const rng = c.sim.engine.rng.stream('test/writes');
  const acked = new Map<string, string>();
  let writes = 0;
  for (let t = 1_000_000; t < CHAOS_US; t += WRITE_EVERY_US) {
    c.sim.engine.scheduleAt(t, () => {
      const key = `/registry/k${writes}`;
      const value = `v${writes++}`;
      const call = c.client.call(rng.int(n), 'Put', { key, value }, 3_000_000);
      const check = (): void => {
        if (!call.outcome.done) {
          c.sim.engine.schedule(10_000, check);
          return;
        }
        if (call.outcome.ok) acked.set(key, value);
      };
      check();
    });
  }
  const context = (): string => `seed ${seed}, ${n} members, plan:\n${formatPlan(plan)}`;
  c.sim.runUntil(CHAOS_US + 3_500_000);
  expect(c.sim.engine.violation, context()).toBeNull();

  // Heal: everyone up and connected, links clean.
  c.sim.network.heal();
  c.sim.network.clearLinks();
  for (const h of c.hosts) {
    if (!h.up) h.boot();
    const p = h.process('etcd');
    if (!p.alive) p.start('heal');
  }
  const members = c.names.map((_, i) => i);
  runUntilTrue(
    c,
    () => {
      const stores = members.map((i) => c.observer.members[i]!.store());
      if (stores.some((s) => s === null)) return false;
      const h0 = stores[0]!.hashKV();
      return stores.every((s) => s!.hashKV() === h0);
    },
    30_000_000,
    100_000,
  );
  runFor(c, 100_000);
  expect(c.sim.engine.violation, context()).toBeNull();
  for (const m of c.observer.members) {
    const store = m.store()!;
    for (const [key, value] of acked) expect(store.get(key)?.value, `${m.name} lost acknowledged ${key}; ${context()}`).toBe(value);
  }
  expect(acked.size, context()).toBeLessThanOrEqual(writes);
}

describe('property: random faults over etcd members never break Raft safety nor lose an acknowledged write', () => {
  for (const n of [3, 5]) {
    it(`${n} members`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1_000_000 }), planArb(n), (seed, plan) => runSchedule(n, seed, plan)),
        { numRuns: n === 3 ? 40 : 25, seed: 20251121 + n, endOnFailure: false },
      );
    });
  }
});
