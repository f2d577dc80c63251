import { describe, expect, it } from 'vitest';
import { US_PER_S } from '../../src/sim/time';
import { addProc, newSim } from './helpers';

describe('Host', () => {
  it('a crash loses volatile state and keeps the disk; boot starts the autostart processes again', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const seen: Array<{ volatile: number; durable: number }> = [];
    addProc(host, 'etcd', (ctx) => {
      let volatile = 0;
      const durable = ((ctx.disk.get('term') as number | undefined) ?? 0) + 1;
      ctx.disk.set('term', durable);
      ctx.setTimer(1, () => {
        volatile++;
        seen.push({ volatile, durable });
      });
    });
    const manual = addProc(host, 'manual', () => ({}), false);
    sim.runUntil(10);
    host.crash();
    expect(host.up).toBe(false);
    expect([...host.processes.values()].every((p) => !p.alive)).toBe(true);
    host.crash(); // already down: nothing happens
    sim.runUntil(US_PER_S);
    host.boot();
    sim.runUntil(2 * US_PER_S);
    expect(seen).toEqual([
      { volatile: 1, durable: 1 },
      { volatile: 1, durable: 2 },
    ]);
    expect(manual.process.state).toBe('exited'); // not autostarted
    expect(() => manual.process.start()).not.toThrow();
  });

  it('a process cannot start on a host that is down', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    const { process } = addProc(host, 'p', () => ({}));
    host.crash();
    expect(() => process.start()).toThrow('h/p: start while host h is down');
  });

  it('names and addresses are unique, and lookups say what exists', () => {
    const sim = newSim();
    const host = sim.addHost('h', { address: '10.0.0.1' });
    addProc(host, 'p', () => ({}));
    expect(() => sim.addHost('h', { address: '10.0.0.2' })).toThrow('duplicate host name h');
    expect(() => sim.addHost('g', { address: '10.0.0.1' })).toThrow('address 10.0.0.1 of g is already used by h');
    expect(() => host.addProcess({ name: 'p', create: () => ({}) })).toThrow('host h already runs a process named p');
    expect(() => host.process('q')).toThrow('host h has no process q (it has: p)');
    expect(() => sim.host('zz')).toThrow('no host named zz (hosts: h)');
    expect(sim.network.findHost('zz')).toBeUndefined();
  });

  it('each host has its own clock options', () => {
    const sim = newSim();
    const a = sim.addHost('a', { address: '10.0.0.1', clock: { offsetUs: 5 * US_PER_S } });
    const b = sim.addHost('b', { address: '10.0.0.2' });
    expect(a.clock.wallUs() - b.clock.wallUs()).toBe(5 * US_PER_S);
    expect(a.clock.monoUs()).toBe(b.clock.monoUs());
  });
});
