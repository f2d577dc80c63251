import { describe, expect, it } from 'vitest';
import type { ProcessContext } from '../../src/sim/process';
import { MemorySink } from '../../src/sim/trace';
import { US_PER_MS, US_PER_S } from '../../src/sim/time';
import { addProc, newSim, type TestMessage, twoHosts } from './helpers';

/** Host a sends datagrams to port 7 of host b, whose process `p` records them. */
function pingSetup(seed = 1) {
  const sim = newSim(seed, US_PER_MS);
  const { a, b } = twoHosts(sim);
  const got: string[] = [];
  const sender = addProc(a, 'sender', () => ({}));
  const receiver = addProc(b, 'p', (ctx) => {
    ctx.listen(7, { onDatagram: (msg) => got.push(`${sim.engine.nowUs} ${(msg as TestMessage).text}`) });
  });
  const send = (atUs: number, text: string): void => {
    sim.engine.scheduleAt(atUs, () => sender.ctxs.at(-1)!.send('10.0.0.2', 7, { type: 'test', text }));
  };
  return { sim, a, b, got, sender, receiver, send };
}

describe('Process lifecycle', () => {
  it('starts on boot, builds its behaviour afresh at each start, and counts incarnations', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const { process, ctxs } = addProc(host, 'p', () => ({}));
    expect(process.state).toBe('running');
    expect(ctxs).toHaveLength(1);
    process.crash();
    expect(process.state).toBe('crashed');
    expect(process.lastExit).toEqual({ kind: 'crash', code: 137, reason: 'killed' });
    process.start();
    expect(ctxs).toHaveLength(2);
    expect(ctxs[1]!.incarnation).toBeGreaterThan(ctxs[0]!.incarnation);
    expect(ctxs[0]!.rng).toBe(ctxs[1]!.rng); // one stream per process, continued across restarts
    expect(() => process.start()).toThrow(/start while running/);
  });

  it('a process that is not autostarted waits for start()', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const { process, ctxs } = addProc(host, 'p', () => ({}), false);
    expect(process.state).toBe('exited');
    expect(ctxs).toHaveLength(0);
    process.start();
    expect(process.state).toBe('running');
  });

  it('a process that exits while it is being created ends up exited, with no behaviour', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const { process } = addProc(host, 'p', (ctx) => {
      ctx.exit(2, 'unknown flag --foo');
      return { terminate: () => undefined };
    });
    expect(process.state).toBe('exited');
    expect(process.behavior).toBeNull();
    expect(process.lastExit).toEqual({ kind: 'exit', code: 2, reason: 'unknown flag --foo' });
  });

  it('old timers and messages never reach a new incarnation', () => {
    const { sim, got, receiver, send } = pingSetup();
    const fired: string[] = [];
    const ctx0 = receiver.ctxs[0]!;
    ctx0.setTimer(5 * US_PER_MS, () => fired.push('old timer'));
    const oldBound = ctx0.bind(() => fired.push('old bound callback'));
    send(0, 'in flight across the crash'); // arrives at 1 ms
    sim.engine.scheduleAt(500, () => {
      receiver.process.crash();
      receiver.process.start();
    });
    sim.engine.scheduleAt(2 * US_PER_MS, () => oldBound());
    sim.engine.scheduleAt(3 * US_PER_MS, () => ctx0.exit(0, 'stale exit'));
    send(3 * US_PER_MS, 'after restart');
    sim.runUntil(10 * US_PER_MS);
    // The message in flight arrives after the restart; the new incarnation listens on the port again, so the
    // kernel hands it over (it was addressed to the port, not to an incarnation).
    expect(got).toEqual(['1000 in flight across the crash', '4000 after restart']);
    expect(fired).toEqual([]);
    expect(receiver.process.state).toBe('running');
  });

  it('a timer cleared before it fires never fires', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const fired: string[] = [];
    addProc(host, 'p', (ctx) => {
      const t = ctx.setTimer(10, () => fired.push('cleared'));
      ctx.setTimer(20, () => fired.push('kept'));
      ctx.clearTimer(t);
      ctx.clearTimer(t);
      ctx.clearTimer(null);
    });
    sim.runUntil(100);
    expect(fired).toEqual(['kept']);
  });

  it('exit listeners see each death with its kind and status', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const { process, ctxs } = addProc(host, 'p', () => ({}));
    const seen: string[] = [];
    process.onExit((p, info) => seen.push(`${p.id} ${info.kind} ${info.code} ${info.reason}`));
    ctxs[0]!.exit(1, 'fatal error');
    process.start();
    process.crash();
    process.start();
    host.crash();
    expect(seen).toEqual(['h/p exit 1 fatal error', 'h/p crash 137 killed', 'h/p host-crash 137 host crashed']);
  });

  it('a supervisor restarting a process from its exit listener cannot start it on a host that is crashing', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const { process } = addProc(host, 'p', () => ({}));
    process.onExit((p) => {
      if (p.host.up) p.start('supervisor restart');
    });
    host.crash();
    expect(host.up).toBe(false);
    expect(process.alive).toBe(false);
    host.boot();
    expect(process.state).toBe('running');
  });
});

describe('Process pause and resume', () => {
  it('a paused process receives nothing and fires no timer until resumed, then gets everything in order', () => {
    const { sim, got, receiver, send } = pingSetup();
    const ctx = receiver.ctxs[0]!;
    const events: string[] = [];
    const log = (what: string) => () => events.push(`${sim.engine.nowUs} ${what}`);
    // Timers at 3 ms and 6 ms local time; messages arriving at 2, 4, 5 ms; paused 1 ms .. 10 ms.
    ctx.setTimer(3 * US_PER_MS, log('timer 3ms'));
    ctx.setTimer(6 * US_PER_MS, log('timer 6ms'));
    send(1 * US_PER_MS, 'm2');
    send(3 * US_PER_MS, 'm4');
    send(4 * US_PER_MS, 'm5');
    sim.engine.scheduleAt(1 * US_PER_MS, () => receiver.process.pause());
    sim.engine.scheduleAt(10 * US_PER_MS, () => receiver.process.resume());
    sim.engine.scheduleAt(10 * US_PER_MS, () => {
      // At the instant of the resume, nothing has been handed over yet.
      expect(got).toEqual([]);
      expect(events).toEqual([]);
    });
    sim.runUntil(9 * US_PER_MS);
    expect(receiver.process.state).toBe('paused');
    expect(got).toEqual([]);
    expect(events).toEqual([]);
    sim.runUntil(20 * US_PER_MS);
    // Everything is delivered at the resume instant, in the order it arrived.
    const merged = [...got.map((g) => `${g.split(' ')[0]} msg ${g.split(' ')[1]}`), ...events];
    expect(merged.every((line) => line.startsWith('10000 '))).toBe(true);
    expect(got).toEqual(['10000 m2', '10000 m4', '10000 m5']);
    expect(events).toEqual(['10000 timer 3ms', '10000 timer 6ms']);
  });

  it('replays the backlog in arrival order even when something new is due at the resume instant', () => {
    const { sim, got, receiver, send } = pingSetup();
    const ctx = receiver.ctxs[0]!;
    // The resume event is queued before the timer, so the timer's event comes after it at t=10 ms.
    sim.engine.scheduleAt(1 * US_PER_MS, () => receiver.process.pause());
    sim.engine.scheduleAt(10 * US_PER_MS, () => receiver.process.resume());
    ctx.setTimer(10 * US_PER_MS, () => got.push(`${sim.engine.nowUs} timer due at resume`));
    send(2 * US_PER_MS, 'arrived during the pause');
    sim.runUntil(20 * US_PER_MS);
    expect(got).toEqual(['10000 arrived during the pause', '10000 timer due at resume']);
  });

  it('a timer cleared after it fired during a pause does not run on resume', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const fired: string[] = [];
    const { process } = addProc(host, 'p', (ctx) => {
      const election = ctx.setTimer(5 * US_PER_MS, () => fired.push('election timeout'));
      // A heartbeat handled first on resume resets the election timer.
      ctx.setTimer(2 * US_PER_MS, () => {
        ctx.clearTimer(election);
        fired.push('heartbeat');
      });
    });
    sim.engine.scheduleAt(1 * US_PER_MS, () => process.pause());
    sim.engine.scheduleAt(10 * US_PER_MS, () => process.resume());
    sim.runUntil(20 * US_PER_MS);
    expect(fired).toEqual(['heartbeat']);
  });

  it('a crash while paused drops the backlog', () => {
    const { sim, got, receiver, send } = pingSetup();
    sim.engine.scheduleAt(0, () => receiver.process.pause());
    send(1, 'lost with the process');
    sim.engine.scheduleAt(5 * US_PER_MS, () => {
      receiver.process.crash();
      receiver.process.start();
    });
    sim.runUntil(20 * US_PER_MS);
    expect(got).toEqual([]);
    expect(receiver.process.state).toBe('running');
  });

  it('pausing twice and resuming once resumes; resume of a running process does nothing', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const { process } = addProc(host, 'p', () => ({}));
    process.resume();
    expect(process.state).toBe('running');
    process.pause();
    process.pause();
    expect(process.state).toBe('paused');
    expect(process.active).toBe(false);
    expect(process.alive).toBe(true);
    process.resume();
    expect(process.state).toBe('running');
  });

  it('a paused process sends nothing (it cannot run)', () => {
    const { sim, got, sender, send } = pingSetup();
    sim.engine.scheduleAt(0, () => sender.process.pause());
    send(1, 'from a frozen process');
    sim.runUntil(10 * US_PER_MS);
    expect(got).toEqual([]);
  });
});

describe('Process graceful stop', () => {
  it('SIGTERM without a handler exits at once with status 0', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const { process } = addProc(host, 'p', () => ({}));
    process.stop(30 * US_PER_S);
    expect(process.state).toBe('exited');
    expect(process.lastExit).toEqual({ kind: 'exit', code: 0, reason: 'terminated' });
  });

  it('a handler that finishes its work within the grace period exits cleanly, and keeps running meanwhile', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const ticks: number[] = [];
    const { process } = addProc(host, 'p', (ctx: ProcessContext) => ({
      terminate() {
        ctx.setTimer(2 * US_PER_S, () => ctx.exit(0, 'drained'));
        ctx.setTimer(1 * US_PER_S, () => ticks.push(sim.engine.nowUs));
      },
    }));
    sim.engine.scheduleAt(US_PER_S, () => process.stop(30 * US_PER_S));
    sim.runUntil(2 * US_PER_S);
    expect(process.state).toBe('stopping');
    sim.runUntil(60 * US_PER_S);
    expect(ticks).toEqual([2 * US_PER_S]);
    expect(process.lastExit).toEqual({ kind: 'exit', code: 0, reason: 'drained' });
  });

  it('SIGKILL follows after the grace period when the process does not exit', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const trace = new MemorySink(['proc.state']);
    sim.engine.trace.addSink(trace);
    const { process } = addProc(host, 'p', () => ({ terminate: () => undefined }));
    process.stop(10 * US_PER_S);
    process.stop(10 * US_PER_S); // a second SIGTERM changes nothing
    sim.runUntil(9 * US_PER_S);
    expect(process.state).toBe('stopping');
    sim.runUntil(11 * US_PER_S);
    expect(process.state).toBe('crashed');
    expect(process.lastExit).toEqual({ kind: 'crash', code: 137, reason: 'SIGKILL after grace period' });
    expect(trace.events.map((e) => `${e.tUs} ${e.kind === 'proc.state' ? `${e.state} ${e.detail}` : ''}`)).toEqual([
      '0 running boot',
      '0 stopping SIGTERM',
      '10000000 crashed SIGKILL after grace period',
    ]);
  });

  it('the pending SIGKILL does not hit a later incarnation', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const { process } = addProc(host, 'p', () => ({}));
    process.stop(10 * US_PER_S); // exits at once (no handler)
    sim.engine.scheduleAt(US_PER_S, () => process.start());
    sim.runUntil(20 * US_PER_S);
    expect(process.state).toBe('running');
  });

  it('SIGTERM sent to a paused process is handled when it resumes', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const terminatedAt: number[] = [];
    const { process } = addProc(host, 'p', (ctx) => ({
      terminate() {
        terminatedAt.push(sim.engine.nowUs);
        ctx.exit(0, 'clean shutdown');
      },
    }));
    process.pause();
    process.stop(10 * US_PER_S);
    expect(process.state).toBe('paused');
    sim.engine.scheduleAt(US_PER_S, () => process.resume());
    sim.runUntil(20 * US_PER_S);
    expect(terminatedAt).toEqual([US_PER_S]);
    expect(process.lastExit).toEqual({ kind: 'exit', code: 0, reason: 'clean shutdown' });
  });

  it('a process paused through its whole grace period is killed', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const { process } = addProc(host, 'p', () => ({ terminate: () => undefined }));
    process.pause();
    process.stop(10 * US_PER_S);
    sim.runUntil(20 * US_PER_S);
    expect(process.lastExit?.reason).toBe('SIGKILL after grace period');
  });
});
