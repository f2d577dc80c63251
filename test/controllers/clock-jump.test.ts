// kubernetes/kubernetes#125761: "After the system time is changed to one hour later ... the standby node is
// promoted to the master node. However, the original master node is promoted to the standby node 2 seconds later.
// Therefore, split-brain occurs."
//
// What client-go really does with a +1 h step (see src/lease/elector.ts): expiry and every timer use Go's
// MONOTONIC clock reading, so a step of the wall clock alone (settimeofday, an NTP step) changes nothing. The
// split brain needs the standby's monotonic clock to jump too — a hypervisor stepping the guest, a VM resumed
// after a freeze while the host clock ran on. Then the standby's pending retry timer fires at once, and if the
// record is the one it saw at its previous poll (the leader has not renewed in between), its observedTime is an
// hour "old": it takes the lease while the leader, which learns of it only at its next renewal (409, then a GET
// showing the new holder), keeps acting until its renew round's deadline.
import { describe, expect, it } from 'vitest';
import { findLeaseOverlaps, overlapViolation } from '../../src/check/checkers/lease-exclusivity';
import type { ActingInterval } from '../../src/lease/acting';
import type { TraceEvent, TraceSink } from '../../src/sim/trace';
import { harness } from './harness';
import { realCluster, KCM_LEASE, SCHEDULER_LEASE } from './real-cluster';

const S = 1_000_000;
const HOUR_US = 3600 * S;
const LEASE = 'kube-system/kube-scheduler';

function asChecker(intervals: readonly ActingInterval[]) {
  return intervals.map((i) => ({ lease: i.lease, identity: i.identity, host: i.host, fromUs: i.startUs, toUs: i.endUs }));
}

/** A sink that calls `fn` synchronously for each event of the kinds it wants. */
function tap(kinds: readonly string[], fn: (e: TraceEvent) => void): TraceSink {
  return { kinds: new Set(kinds), write: fn };
}

/**
 * Three schedulers on the in-memory API; at 20 s, right after a standby's poll (its V(4) line "lock is held by
 * ..."), its host's clock jumps +1 h.
 */
function jumpRightAfterStandbyPoll(seed: number, monotonic: boolean) {
  const h = harness({ seed, controllerManager: false, scheduler: { verbosity: 4 }, trace: ['lease.acting', 'log', 'proc.state'] });
  h.sim.runUntil(20 * S);
  const leader = h.acting.actingNow(LEASE)[0]!;
  const standby = h.controlPlane.map((x) => x.name).find((n) => n !== leader.host)!;
  let jumpAtUs = -1;
  h.sim.engine.trace.addSink(
    tap(['log'], (e) => {
      const log = e as TraceEvent<'log'>;
      if (jumpAtUs >= 0 || log.host !== standby || log.proc !== 'kube-scheduler' || !log.msg.startsWith('lock is held by')) return;
      // Just after this poll returns (its retry timer is then pending).
      jumpAtUs = log.tUs + 1;
      h.sim.engine.schedule(1, () => h.sim.faults.apply({ kind: 'clock-jump', host: standby, deltaUs: HOUR_US, monotonic }));
    }),
  );
  h.sim.runUntil(60 * S);
  return { h, leader, standby, jumpAtUs };
}

describe('kubernetes/kubernetes#125761: +1 h clock jump on a standby host', () => {
  it('a jump of the monotonic clock too (hypervisor step, VM resume) right after a standby poll: two replicas act as leader at once', () => {
    const { h, leader, standby, jumpAtUs } = jumpRightAfterStandbyPoll(7, true);
    expect(jumpAtUs).toBeGreaterThan(0);
    const intervals = h.acting.intervals(LEASE);
    const taken = intervals.find((i) => i.host === standby)!;
    // The standby's retry timer fired at once: it took the lease within milliseconds of the jump.
    expect(taken.startUs - jumpAtUs).toBeLessThan(10_000);
    // The checker reports the overlap, with its interval.
    const overlaps = findLeaseOverlaps(asChecker(intervals));
    expect(overlaps).toHaveLength(1);
    const o = overlaps[0]!;
    expect(o.first.host).toBe(leader.host);
    expect(o.second.host).toBe(standby);
    expect(o.fromUs).toBe(taken.startUs);
    // The old leader acts until its renew round's deadline: at most RetryPeriod + RenewDeadline after the takeover.
    expect(o.toUs! - o.fromUs).toBeGreaterThan(1 * S);
    expect(o.toUs! - o.fromUs).toBeLessThanOrEqual(12 * S);
    const report = overlapViolation(o);
    console.log(`${report.message}\n${report.details}`);
    expect(report.message).toMatch(/two replicas act as leader of lease kube-system\/kube-scheduler from \d+\.\d{3}s until \d+\.\d{3}s/);
    // The old leader's own account.
    const logs = h.sink.ofKind('log').filter((e) => e.host === leader.host && e.proc === 'kube-scheduler' && e.tUs >= jumpAtUs).map((e) => e.msg);
    expect(logs).toContain(`lock is held by ${taken.identity} and has not yet expired`);
    expect(logs).toContain('failed to renew lease kube-system/kube-scheduler: context deadline exceeded');
    expect(h.sim.host(leader.host).process('kube-scheduler').lastExit).toEqual({ kind: 'exit', code: 1, reason: 'Leaderelection lost' });
  });

  it('the same jump of the wall clock only (settimeofday, NTP step) changes nothing: client-go compares monotonic readings', () => {
    const { h, leader, standby, jumpAtUs } = jumpRightAfterStandbyPoll(7, false);
    expect(jumpAtUs).toBeGreaterThan(0);
    expect(h.acting.intervals(LEASE).map((i) => i.host)).toEqual([leader.host]);
    expect(h.acting.overlaps(LEASE)).toEqual([]);
    // The standby writes nothing, but the leader's renewTime carries its own (unjumped) clock; were the leader
    // jumped, its renewTime would be an hour ahead — and nobody compares it.
    expect(standby).not.toBe(leader.host);
  });

  it('at a random moment (200 seeds): the monotonic jump splits the brain in a fraction of runs, always with the jumped standby as the new leader; the wall-clock jump never', () => {
    let splits = 0;
    for (let seed = 1; seed <= 200; seed++) {
      for (const monotonic of [true, false]) {
        const h = harness({ seed, controllerManager: false });
        const atUs = 20 * S + h.sim.engine.rng.stream('test/jump-time').int(5 * S);
        h.sim.runUntil(atUs);
        const leader = h.acting.actingNow(LEASE)[0]!;
        const standbys = h.controlPlane.map((x) => x.name).filter((n) => n !== leader.host);
        const standby = standbys[h.sim.engine.rng.stream('test/jump-host').int(standbys.length)]!;
        h.sim.faults.apply({ kind: 'clock-jump', host: standby, deltaUs: HOUR_US, monotonic });
        h.sim.runUntil(atUs + 40 * S);
        const overlaps = h.acting.overlaps(LEASE);
        if (!monotonic) {
          expect(overlaps, `seed ${seed}`).toEqual([]);
          continue;
        }
        if (overlaps.length === 0) continue;
        splits++;
        expect(overlaps).toHaveLength(1);
        expect(overlaps[0]!.first.host).toBe(leader.host);
        expect(overlaps[0]!.second.host).toBe(standby);
        expect(overlaps[0]!.second.startUs - atUs).toBeLessThan(10_000);
      }
    }
    console.log(`+1 h monotonic jump at a random moment on a standby: split brain in ${splits}/200 runs`);
    // It needs the record unchanged since the standby's previous poll (no renewal in between): a minority of runs.
    expect(splits).toBeGreaterThan(20);
    expect(splits).toBeLessThan(120);
  });
});

describe('#125761 on the full control plane (etcd, apiservers, the builder)', () => {
  it('a +1 h monotonic jump on a standby host right after its poll: the lease-exclusivity invariant stops the run at the takeover', () => {
    const r = realCluster({ seed: 3, trace: ['lease.acting', 'apiserver.request'] });
    r.sim.runUntil(20 * S);
    const leader = r.acting.actingNow(SCHEDULER_LEASE)[0]!;
    const standby = ['server-0', 'server-1', 'server-2'].find((n) => n !== leader.host)!;
    let jumpAtUs = -1;
    r.sim.engine.trace.addSink(
      tap(['apiserver.request'], (e) => {
        const req = e as TraceEvent<'apiserver.request'>;
        if (jumpAtUs >= 0 || req.host !== standby || req.verb !== 'GET' || !req.path.endsWith('/leases/kube-scheduler') || !req.userAgent.startsWith('kube-scheduler')) return;
        // 1 ms later: the answer has reached the standby (loopback) and its next poll is pending.
        jumpAtUs = req.tUs + 1000;
        r.sim.engine.schedule(1000, () => r.sim.faults.apply({ kind: 'clock-jump', host: standby, deltaUs: HOUR_US, monotonic: true }));
      }),
    );
    expect(r.sim.runUntil(60 * S)).toBe('violation');
    const violation = r.sim.engine.violation!;
    expect(violation.invariant).toBe('lease-exclusivity');
    const acting = r.acting.actingNow(SCHEDULER_LEASE);
    expect(acting.map((i) => i.host)).toEqual([leader.host, standby]);
    // The takeover came within milliseconds of the jump (the standby's pending retry timer fired at once).
    expect(acting[1]!.startUs - jumpAtUs).toBeLessThan(20_000);
    expect(violation.message).toBe(
      `two replicas act as leader of lease ${SCHEDULER_LEASE}: ${leader.identity} on ${leader.host} (since ${(leader.startUs / S).toFixed(3)}s) and ${acting[1]!.identity} on ${standby} (since ${(acting[1]!.startUs / S).toFixed(3)}s)`,
    );
    expect(violation.hosts).toEqual([leader.host, standby]);
    // The overlap so far, as the checker reports it (the run stops here, so it is still open).
    const o = findLeaseOverlaps(asChecker(r.acting.intervals(SCHEDULER_LEASE)))[0]!;
    expect(o.fromUs).toBe(acting[1]!.startUs);
    console.log(`${violation.message}\n${overlapViolation(o).message}`);
    // Untouched: the controller-manager lease never had two leaders.
    expect(findLeaseOverlaps(asChecker(r.acting.intervals(KCM_LEASE)))).toEqual([]);
  });
});
