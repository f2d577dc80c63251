// etcd quorum loss longer than the renew deadline, on the full control plane: two of the three etcd members are
// frozen (SIGSTOP: the kubelet sees no exit, so it restarts nothing) for 60 s, twice.
// - Both leaders fail their renewals; the controller-manager stops acting at its round's deadline (last success +
//   RetryPeriod + RenewDeadline), the scheduler after its release attempt too (+ the lock client's 5 s timeout);
//   both exit 1 and the kubelet restarts them — at once the first time, after CrashLoopBackOff's 10 s window the
//   second time;
// - nobody acts as leader while quorum is lost;
// - leadership returns once quorum does.
import { describe, expect, it } from 'vitest';
import { realCluster, KCM_LEASE, S, SCHEDULER_LEASE } from './real-cluster';

const LOSSES = [
  { fromUs: 30 * S, toUs: 90 * S },
  { fromUs: 150 * S, toUs: 210 * S },
];
/** RetryPeriod + RenewDeadline, + the scheduler's release attempt (client timeout 5 s). */
const STOP_WITHIN_US = 2 * S + 10 * S + 5 * S;

describe('etcd quorum loss longer than the renew deadline', () => {
  it('leaders stop and exit, are restarted with back-off, nobody leads during the loss, leadership returns after', () => {
    const r = realCluster({ seed: 1, trace: ['lease.acting', 'proc.state', 'log', 'kubelet.static-pod'] });
    const leadersAtLoss: Array<Record<string, { host: string; identity: string }>> = [];
    for (const loss of LOSSES) {
      r.sim.runUntil(loss.fromUs);
      const at: Record<string, { host: string; identity: string }> = {};
      for (const lease of [SCHEDULER_LEASE, KCM_LEASE]) {
        const acting = r.acting.actingNow(lease);
        expect(acting, `${lease} has a leader before the loss at ${loss.fromUs / S}s`).toHaveLength(1);
        at[lease] = { host: acting[0]!.host, identity: acting[0]!.identity };
      }
      leadersAtLoss.push(at);
      for (const host of ['server-1', 'server-2']) r.sim.faults.apply({ kind: 'pause', host, process: 'etcd', durationUs: loss.toUs - loss.fromUs });
      r.sim.runUntil(loss.toUs);
    }
    r.sim.runUntil(300 * S);

    for (const [i, loss] of LOSSES.entries()) {
      for (const lease of [SCHEDULER_LEASE, KCM_LEASE]) {
        const leader = leadersAtLoss[i]![lease]!;
        const term = r.acting.intervals(lease).find((x) => x.identity === leader.identity)!;
        // Stopped acting within the bound, then exited 1 with the component's message.
        expect(term.endUs, `${lease} leader stops during loss ${i + 1}`).not.toBeNull();
        expect(term.endUs! - loss.fromUs).toBeLessThanOrEqual(STOP_WITHIN_US + 100_000);
        expect(term.endUs! - loss.fromUs).toBeGreaterThan(10 * S);
        const proc = lease === SCHEDULER_LEASE ? 'kube-scheduler' : 'kube-controller-manager';
        const exit = r.sink
          .ofKind('proc.state')
          .find((e) => e.host === leader.host && e.proc === proc && e.state === 'exited' && e.tUs >= term.endUs! && e.tUs < loss.toUs);
        expect(exit?.detail).toBe(lease === SCHEDULER_LEASE ? 'exit 1: Leaderelection lost' : 'exit 1: leaderelection lost');
        // Nobody acts as leader from the leader's stop until quorum returns.
        const during = r.acting.intervals(lease).filter((x) => x.startUs < loss.toUs && (x.endUs === null || x.endUs > term.endUs!) && x !== term);
        expect(during, `${lease}: nobody leads during loss ${i + 1}`).toEqual([]);
        // Leadership returns after quorum does.
        const next = r.acting.intervals(lease).find((x) => x.startUs >= loss.toUs);
        expect(next, `${lease}: a leader after loss ${i + 1}`).toBeDefined();
        expect(next!.startUs - loss.toUs).toBeLessThanOrEqual(30 * S);
      }
    }

    // Restarts by the kubelet: the first exit of a container is restarted at once, a second one (within 10
    // minutes) only after the 10 s back-off window.
    const restarts = r.sink.ofKind('kubelet.static-pod').filter((e) => e.action === 'restart' && (e.pod === 'kube-scheduler' || e.pod === 'kube-controller-manager'));
    expect(restarts.length).toBeGreaterThanOrEqual(2);
    let secondRestarts = 0;
    for (const restart of restarts) {
      const exits = r.sink.ofKind('proc.state').filter((e) => e.host === restart.host && e.proc === restart.pod && e.state === 'exited' && e.tUs <= restart.tUs);
      const lastExit = exits.at(-1)!;
      if (restart.restarts === 1) expect(restart.tUs - lastExit.tUs).toBeLessThanOrEqual(1 * S);
      else {
        secondRestarts++;
        expect(restart.tUs - lastExit.tUs).toBeGreaterThanOrEqual(10 * S);
        expect(restart.backoffUs).toBe(20 * S);
      }
    }
    expect(secondRestarts, 'some component lost its lease twice').toBeGreaterThanOrEqual(1);
    expect(r.acting.overlaps()).toEqual([]);
  });
});
