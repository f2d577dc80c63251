import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/sim/simulation';
import { MemorySink } from '../../src/sim/trace';
import type { ProcessContext } from '../../src/sim/process';
import { ActingLeaders } from '../../src/lease/acting';

function twoReplicas() {
  const sim = new Simulation({ seed: 1 });
  const sink = new MemorySink(['lease.acting', 'leader.action']);
  sim.engine.trace.addSink(sink);
  const ctxs = new Map<string, ProcessContext>();
  for (const name of ['cp-1', 'cp-2']) {
    const host = sim.addHost(name, { address: name === 'cp-1' ? '10.0.0.11' : '10.0.0.12' });
    host.addProcess({
      name: 'kube-scheduler',
      create(ctx) {
        ctxs.set(name, ctx);
        return {};
      },
    });
  }
  return { sim, sink, ctx: (name: string) => ctxs.get(name)!, recorder: ActingLeaders.of(sim.engine) };
}

describe('ActingLeaders', () => {
  it('is one recorder per engine', () => {
    const { sim, recorder } = twoReplicas();
    expect(ActingLeaders.of(sim.engine)).toBe(recorder);
    expect(ActingLeaders.of(new Simulation({ seed: 2 }).engine)).not.toBe(recorder);
  });

  it('records start and stop with true time and reports overlaps with their interval', () => {
    const { sim, sink, ctx, recorder } = twoReplicas();
    const lease = 'kube-system/kube-scheduler';
    let a: ReturnType<ActingLeaders['start']> | null = null;
    let b: ReturnType<ActingLeaders['start']> | null = null;
    sim.engine.schedule(1_000_000, () => (a = recorder.start(lease, 'cp-1_a', ctx('cp-1'))));
    sim.engine.schedule(5_000_000, () => (b = recorder.start(lease, 'cp-2_b', ctx('cp-2'))));
    sim.engine.schedule(7_000_000, () => a!.stop('failed to renew lease'));
    sim.engine.schedule(9_000_000, () => b!.stop('Requested to terminate'));
    sim.runUntil(6_000_000);
    expect(recorder.concurrentNow(lease)).toBe(2);
    expect(recorder.actingNow(lease).map((i) => i.identity)).toEqual(['cp-1_a', 'cp-2_b']);
    sim.runUntil(10_000_000);
    expect(recorder.concurrentNow(lease)).toBe(0);
    expect(recorder.maxConcurrentSeen(lease)).toBe(2);
    const overlaps = recorder.overlaps(lease);
    expect(overlaps).toHaveLength(1);
    expect(overlaps[0]).toMatchObject({ fromUs: 5_000_000, toUs: 7_000_000 });
    expect(sink.ofKind('lease.acting').map((e) => `${e.tUs} ${e.identity} ${e.state}`)).toEqual([
      '1000000 cp-1_a start',
      '5000000 cp-2_b start',
      '7000000 cp-1_a stop',
      '9000000 cp-2_b stop',
    ]);
  });

  it('closes the interval of a leader whose host crashes, with the crash as reason', () => {
    const { sim, ctx, recorder } = twoReplicas();
    const lease = 'kube-system/kube-controller-manager';
    sim.engine.schedule(1_000_000, () => recorder.start(lease, 'cp-1_a', ctx('cp-1')));
    sim.engine.schedule(3_000_000, () => sim.host('cp-1').crash());
    sim.engine.schedule(20_000_000, () => recorder.start(lease, 'cp-2_b', ctx('cp-2')));
    sim.runUntil(30_000_000);
    const [first, second] = recorder.intervals(lease);
    expect(first).toMatchObject({ startUs: 1_000_000, endUs: 3_000_000, endReason: 'host-crash' });
    expect(second).toMatchObject({ startUs: 20_000_000, endUs: null });
    expect(recorder.overlaps(lease)).toEqual([]);
    expect(recorder.actingAt(lease, 2_000_000).map((i) => i.identity)).toEqual(['cp-1_a']);
    expect(recorder.actingAt(lease, 3_000_000)).toEqual([]);
  });

  it('records the actions of acting leaders', () => {
    const { sim, sink, ctx, recorder } = twoReplicas();
    const lease = 'kube-system/kube-scheduler';
    sim.engine.schedule(1_000, () => {
      const h = recorder.start(lease, 'cp-1_a', ctx('cp-1'));
      h.action('bind', 'default/web-abcde', 'ok', 'worker-0');
    });
    sim.runUntil(10_000);
    expect(recorder.actionsOf(lease)).toEqual([
      { tUs: 1_000, lease, identity: 'cp-1_a', host: 'cp-1', proc: 'kube-scheduler', action: 'bind', object: 'default/web-abcde', outcome: 'ok', detail: 'worker-0' },
    ]);
    expect(sink.ofKind('leader.action')).toHaveLength(1);
  });
});
