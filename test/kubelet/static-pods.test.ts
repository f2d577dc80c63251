import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/sim/simulation';
import { MemorySink } from '../../src/sim/trace';
import { kubeletProcessSpec } from '../../src/kubelet/kubelet';

const S = 1_000_000;

/** A control-plane host whose kubelet runs a static pod that exits `exitAfterUs` after each start. */
function crashLooping(seed: number, exitAfterUs: (n: number) => number) {
  const sim = new Simulation({ seed });
  const sink = new MemorySink(['proc.state', 'kubelet.static-pod']);
  sim.engine.trace.addSink(sink);
  const host = sim.addHost('server-0', { address: '10.0.0.10' });
  let starts = 0;
  host.addProcess({
    name: 'kube-scheduler',
    autostart: false,
    create(ctx) {
      const n = starts++;
      ctx.setTimer(exitAfterUs(n), () => ctx.exit(1, 'Leaderelection lost'));
      return {};
    },
  });
  host.addProcess(kubeletProcessSpec({ registerNode: false, staticPods: { pods: ['kube-scheduler'] } }));
  const startTimes = (): number[] => sink.ofKind('proc.state').filter((e) => e.proc === 'kube-scheduler' && e.state === 'running').map((e) => e.tUs);
  const exitTimes = (): number[] => sink.ofKind('proc.state').filter((e) => e.proc === 'kube-scheduler' && e.state === 'exited').map((e) => e.tUs);
  return { sim, sink, startTimes, exitTimes };
}

describe('static pod supervision (CrashLoopBackOff)', () => {
  it('starts the static pod at the first relist, restarts the first exit at once, then backs off 10 s doubling to 5 min', () => {
    const { sim, startTimes, exitTimes } = crashLooping(1, () => 2 * S);
    sim.runUntil(40 * 60 * S);
    const starts = startTimes();
    const exits = exitTimes();
    expect(starts[0]).toBe(1 * S);
    // Delay between each exit and the next start.
    const gaps = exits.slice(0, starts.length - 1).map((e, i) => (starts[i + 1]! - e) / S);
    // First restart: noticed at the next relist (< 1 s), not in back-off yet.
    expect(gaps[0]).toBeLessThanOrEqual(1);
    // Then each restart waits for the back-off window (10, 20, 40, 80, 160, 300, 300 s): the pod worker retries
    // every 10-15 s, so the restart comes within one retry after the window ends.
    const windows = [10, 20, 40, 80, 160, 300, 300];
    for (let i = 0; i < windows.length; i++) {
      expect(gaps[i + 1], `restart ${i + 2}`).toBeGreaterThanOrEqual(windows[i]!);
      expect(gaps[i + 1], `restart ${i + 2}`).toBeLessThan(windows[i]! + 16);
    }
  });

  it('resets the back-off once the container ran more than 10 minutes', () => {
    // Exits quickly 4 times (back-off grows to 40 s), then runs 11 minutes, then exits again: restarted at once.
    const { sim, startTimes, exitTimes } = crashLooping(2, (n) => (n < 4 ? 2 * S : n === 4 ? 11 * 60 * S : 2 * S));
    sim.runUntil(30 * 60 * S);
    const starts = startTimes();
    const exits = exitTimes();
    const longRunExit = exits[4]!;
    const restart = starts[5]!;
    expect(restart - longRunExit).toBeLessThanOrEqual(1 * S);
    // And the next exit waits the initial 10 s window again.
    expect(starts[6]! - exits[5]!).toBeGreaterThanOrEqual(10 * S);
    expect(starts[6]! - exits[5]!).toBeLessThan(26 * S);
  });

  it('a restarted kubelet forgets the back-off (it lives in its memory) and starts the pod at its first relist', () => {
    const { sim, startTimes } = crashLooping(3, (n) => (n < 3 ? 2 * S : 3600 * S));
    sim.runUntil(25 * S);
    // Three quick exits: the pod now waits in a 20 s back-off window.
    expect(sim.host('server-0').process('kube-scheduler').alive).toBe(false);
    const before = startTimes().length;
    sim.faults.apply({ kind: 'restart', host: 'server-0', process: 'kubelet' });
    sim.runUntil(90 * S);
    expect(startTimes()[before]).toBe(26 * S);
  });

  it('static pods keep running while the kubelet is down', () => {
    const { sim, startTimes } = crashLooping(4, () => 3600 * S);
    sim.runUntil(5 * S);
    sim.faults.apply({ kind: 'crash', host: 'server-0', process: 'kubelet' });
    sim.runUntil(60 * S);
    expect(sim.host('server-0').process('kube-scheduler').alive).toBe(true);
    expect(startTimes()).toEqual([1 * S]);
  });
});
