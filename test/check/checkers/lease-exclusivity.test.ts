import { describe, expect, it } from 'vitest';
import { findLeaseOverlaps, LeaseExclusivityMonitor, overlapViolation, type ActingInterval } from '../../../src/check/checkers/lease-exclusivity';
import { Engine } from '../../../src/sim/engine';

const L = 'kube-system/kube-scheduler';
const iv = (identity: string, host: string, fromUs: number, toUs: number | null, lease = L): ActingInterval => ({ lease, identity, host, fromUs, toUs });

describe('findLeaseOverlaps', () => {
  it('finds no overlap in a clean fail-over, including a hand-over at one instant', () => {
    expect(findLeaseOverlaps([iv('a', 'server-0', 0, 10), iv('b', 'server-1', 25, 40), iv('c', 'server-2', 40, null)])).toEqual([]);
  });

  it('reports the overlap interval and both identities', () => {
    const overlaps = findLeaseOverlaps([iv('a', 'server-0', 0, 30), iv('b', 'server-1', 20, null)]);
    expect(overlaps).toHaveLength(1);
    expect(overlaps[0]).toMatchObject({ lease: L, fromUs: 20, toUs: 30, first: { identity: 'a' }, second: { identity: 'b' } });
    const v = overlapViolation(overlaps[0]!);
    expect(v.hosts).toEqual(['server-0', 'server-1']);
    expect(v.message).toBe('two replicas act as leader of lease kube-system/kube-scheduler from 0.000s until 0.000s (10µs)');
    expect(v.details).toContain('a on server-0');
  });

  it('keeps leases apart and orders overlaps by time', () => {
    const overlaps = findLeaseOverlaps([
      iv('a', 'server-0', 0, 100),
      iv('x', 'server-0', 0, 100, 'kube-system/kube-controller-manager'),
      iv('y', 'server-1', 50, 60, 'kube-system/kube-controller-manager'),
      iv('b', 'server-1', 70, 80),
    ]);
    expect(overlaps.map((o) => [o.lease, o.fromUs, o.toUs])).toEqual([
      ['kube-system/kube-controller-manager', 50, 60],
      [L, 70, 80],
    ]);
  });

  it('reports an overlap still open at the end of the run with toUs null', () => {
    expect(findLeaseOverlaps([iv('a', 'server-0', 0, null), iv('b', 'server-1', 5, null)])[0]!.toUs).toBeNull();
  });

  it('rejects an interval that ends before it starts', () => {
    expect(() => findLeaseOverlaps([iv('a', 'server-0', 10, 5)])).toThrow(/ends \(5\) before it starts \(10\)/);
  });
});

describe('LeaseExclusivityMonitor as an engine invariant', () => {
  it('stops the run when a second replica acts while the first still does', () => {
    const engine = new Engine({ seed: 1 });
    const monitor = new LeaseExclusivityMonitor(engine);
    engine.addInvariant(monitor.invariant);
    engine.scheduleAt(1_000_000, () => monitor.started(L, 'a', 'server-0', engine.nowUs));
    engine.scheduleAt(5_000_000, () => monitor.started(L, 'b', 'server-1', engine.nowUs));
    engine.scheduleAt(6_000_000, () => monitor.stopped(L, 'a', engine.nowUs));
    engine.scheduleAt(7_000_000, () => undefined);
    expect(engine.runUntil(10_000_000)).toBe('violation');
    expect(engine.violation?.invariant).toBe('lease-exclusivity');
    expect(engine.violation?.hosts).toEqual(['server-0', 'server-1']);
    // confirmed at the first event after the overlap began
    expect(engine.violation?.timeUs).toBe(6_000_000);
  });

  it('adds what the explain hook says about each replica (e.g. one still releasing the lease)', () => {
    const engine = new Engine({ seed: 1 });
    const monitor = new LeaseExclusivityMonitor(engine, (_lease, identity) => (identity === 'a' ? 'releasing' : null));
    engine.addInvariant(monitor.invariant);
    engine.scheduleAt(1_000_000, () => monitor.started(L, 'a', 'server-0', engine.nowUs));
    engine.scheduleAt(5_000_000, () => monitor.started(L, 'b', 'server-1', engine.nowUs));
    engine.scheduleAt(6_000_000, () => undefined);
    expect(engine.runUntil(10_000_000)).toBe('violation');
    expect(engine.violation?.message).toContain('a on server-0 (since 1.000s; releasing)');
    expect(engine.violation?.message).toContain('b on server-1 (since 5.000s)');
  });

  it('does not report a hand-over within one instant', () => {
    const engine = new Engine({ seed: 1 });
    const monitor = new LeaseExclusivityMonitor(engine);
    engine.addInvariant(monitor.invariant);
    engine.scheduleAt(1_000_000, () => monitor.started(L, 'a', 'server-0', engine.nowUs));
    engine.scheduleAt(5_000_000, () => monitor.started(L, 'b', 'server-1', engine.nowUs));
    engine.scheduleAt(5_000_000, () => monitor.stopped(L, 'a', engine.nowUs));
    engine.scheduleAt(8_000_000, () => monitor.stopped(L, 'b', engine.nowUs));
    engine.scheduleAt(8_000_000, () => monitor.started(L, 'a2', 'server-0', engine.nowUs));
    expect(engine.runUntil(10_000_000)).not.toBe('violation');
    expect(monitor.violated).toBe(false);
    expect(monitor.intervals().map((i) => [i.identity, i.fromUs, i.toUs])).toEqual([
      ['a', 1_000_000, 5_000_000],
      ['b', 5_000_000, 8_000_000],
      ['a2', 8_000_000, null],
    ]);
  });

  it('gives the full overlap at the end when the run goes on', () => {
    let now = 0;
    const monitor = new LeaseExclusivityMonitor({ get nowUs() { return now; } });
    monitor.started(L, 'a', 'server-0', 0);
    now = 10;
    monitor.started(L, 'b', 'server-1', 10);
    now = 12;
    monitor.stopped(L, 'a', 12);
    expect(monitor.violated).toBe(true);
    expect(monitor.firstViolation()).toMatchObject({ checker: 'lease-exclusivity', atUs: 10, hosts: ['server-0', 'server-1'] });
    expect(monitor.actingNow(L).map((t) => t.identity)).toEqual(['b']);
  });

  it('refuses one identity starting twice', () => {
    const monitor = new LeaseExclusivityMonitor({ nowUs: 0 });
    monitor.started(L, 'a', 'server-0', 0);
    expect(() => monitor.started(L, 'a', 'server-0', 1)).toThrow(/twice/);
  });
});
