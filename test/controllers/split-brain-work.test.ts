// Duplicated work under split brain, made visible by the acting leaders' recorded actions: two controller-managers
// both create the missing pods of a ReplicaSet (more pods than replicas), two schedulers both bind the same pending
// pod (the second binding gets 409 Conflict "already assigned"). The split brain is kubernetes/kubernetes#125761's:
// a +1 h monotonic clock step on a standby host right after its poll.
import { describe, expect, it } from 'vitest';
import type { Pod, ReplicaSet } from '../../src/apiserver/objects';
import type { TraceEvent, TraceSink } from '../../src/sim/trace';
import { harness, type Harness } from './harness';

const S = 1_000_000;
const HOUR_US = 3600 * S;

function splitBrain(h: Harness, lease: string, proc: string, onSplit: () => void): string {
  const leader = h.acting.actingNow(lease)[0]!;
  const standby = h.controlPlane.map((x) => x.name).find((n) => n !== leader.host)!;
  let done = false;
  const sink: TraceSink = {
    kinds: new Set(['log']),
    write(e: TraceEvent) {
      const log = e as TraceEvent<'log'>;
      if (done || log.host !== standby || log.proc !== proc || !log.msg.startsWith('lock is held by')) return;
      done = true;
      h.sim.engine.schedule(1, () => {
        h.sim.faults.apply({ kind: 'clock-jump', host: standby, deltaUs: HOUR_US, monotonic: true });
        onSplit();
      });
    },
  };
  h.sim.engine.trace.addSink(sink);
  return standby;
}

function pods(h: Harness): Pod[] {
  return [...h.api.objects.entries()].filter(([k]) => k.startsWith('pods/default/')).map(([, o]) => o as Pod);
}

describe('duplicated work while two replicas act as leader', () => {
  it('two controller-managers both create the missing pods: more pods than replicas', () => {
    const h = harness({ seed: 31, scheduler: false, controllerManager: { verbosity: 4 }, trace: ['lease.acting', 'log'] });
    const lease = 'kube-system/kube-controller-manager';
    h.sim.runUntil(20 * S);
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
    };
    // One second into the split brain (both acting, both caches synced), a ReplicaSet appears: both controllers get
    // its watch event at once, and both create its pods.
    splitBrain(h, lease, 'kube-controller-manager', () => h.sim.engine.schedule(1 * S, () => h.put('replicasets', 'default', rs)));
    h.sim.runUntil(50 * S);
    // The API's own history of pods: the most that existed at once.
    let count = 0;
    let maxPods = 0;
    for (const change of h.api.history) {
      if (change.resource !== 'pods') continue;
      if (change.event.type === 'ADDED') maxPods = Math.max(maxPods, ++count);
      else if (change.event.type === 'DELETED') count--;
    }
    expect(h.acting.overlaps(lease)).toHaveLength(1);
    expect(maxPods).toBeGreaterThan(3);
    const creators = new Set(h.acting.actionsOf(lease).filter((a) => a.action === 'create-pod' && a.outcome === 'ok').map((a) => a.identity));
    expect(creators.size).toBe(2);
    console.log(`split brain: up to ${maxPods} pods for 3 replicas; creations by ${[...creators].join(', ')}`);
    // Once one leader is left, the ReplicaSet settles at 3.
    h.sim.runUntil(80 * S);
    expect(pods(h)).toHaveLength(3);
  });

  it('two schedulers both bind the same pending pod: the second binding is refused with 409 Conflict', () => {
    const h = harness({ seed: 32, controllerManager: false, scheduler: { verbosity: 4 }, trace: ['lease.acting', 'log'] });
    const lease = 'kube-system/kube-scheduler';
    h.put('nodes', null, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'worker-0' },
      spec: {},
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    } as never);
    h.sim.runUntil(20 * S);
    splitBrain(h, lease, 'kube-scheduler', () => {
      // Pending pods appear while both act: both schedulers get the watch events at once.
      for (let i = 0; i < 20; i++) h.put('pods', 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `job-${i}`, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } as Pod);
    });
    h.sim.runUntil(50 * S);
    expect(h.acting.overlaps(lease)).toHaveLength(1);
    const binds = h.acting.actionsOf(lease).filter((a) => a.action === 'bind');
    const byPod = new Map<string, typeof binds>();
    for (const b of binds) byPod.set(b.object, [...(byPod.get(b.object) ?? []), b]);
    const twice = [...byPod.values()].filter((list) => new Set(list.map((b) => b.identity)).size === 2);
    expect(twice.length).toBeGreaterThan(0);
    for (const list of twice) {
      expect(list.filter((b) => b.outcome === 'ok')).toHaveLength(1);
      expect(list.some((b) => b.outcome.startsWith('409 Conflict: Operation cannot be fulfilled on pods/binding'))).toBe(true);
    }
    // Every pod ends up bound exactly once.
    expect(pods(h).every((p) => p.spec.nodeName === 'worker-0')).toBe(true);
  });
});
