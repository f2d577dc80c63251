// Datagrams, link models and partition verbs of src/sim/network.ts. TCP-like connections: network.tcp.test.ts.
import { describe, expect, it } from 'vitest';
import type { Host } from '../../src/sim/host';
import type { ProcessContext } from '../../src/sim/process';
import type { Simulation } from '../../src/sim/simulation';
import { MemorySink } from '../../src/sim/trace';
import { US_PER_MS } from '../../src/sim/time';
import { addProc, newSim, type TestMessage } from './helpers';

/** Hosts h0..h(n-1) at 10.0.0.(i+1); each runs `p` listening on port 7 and recording what it receives. */
function mesh(n: number, seed: number | string = 1, latencyUs = US_PER_MS) {
  const sim = newSim(seed, latencyUs);
  const hosts: Host[] = [];
  const inbox = new Map<string, string[]>();
  const ctxs: ProcessContext[][] = [];
  for (let i = 0; i < n; i++) {
    const host = sim.addHost(`h${i}`, { address: `10.0.0.${i + 1}` });
    hosts.push(host);
    const got: string[] = [];
    inbox.set(host.name, got);
    const p = addProc(host, 'p', (ctx) => {
      ctx.listen(7, { onDatagram: (msg, from) => got.push(`${(msg as TestMessage).text}<${from.address}`) });
    });
    ctxs.push(p.ctxs);
  }
  /** Sends a datagram from hi to hj now. */
  const send = (i: number, j: number, text: string): void => ctxs[i]!.at(-1)!.send(`10.0.0.${j + 1}`, 7, { type: 'test', text });
  /** Every ordered pair sends one message; returns which pairs got through. */
  const probe = (): string[] => {
    const before = new Map([...inbox].map(([k, v]) => [k, v.length]));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) send(i, j, `${i}>${j}`);
    sim.runUntil(sim.engine.nowUs + 100 * latencyUs);
    const through: string[] = [];
    for (const [name, got] of inbox) for (const line of got.slice(before.get(name))) through.push(line.split('<')[0]!);
    return through.sort();
  };
  return { sim, hosts, inbox, send, probe };
}

function allPairs(n: number, except: (i: number, j: number) => boolean = () => false): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && !except(i, j)) pairs.push(`${i}>${j}`);
  return pairs.sort();
}

describe('datagrams', () => {
  it('arrive after the link latency with the sender address and port', () => {
    const sim = newSim(1, 250);
    const a = sim.addHost('a', { address: '10.0.0.1' });
    const b = sim.addHost('b', { address: '10.0.0.2' });
    const got: string[] = [];
    addProc(b, 'p', (ctx) => ctx.listen(7, { onDatagram: (msg, from) => got.push(`${sim.engine.nowUs} ${msg.type} ${from.address}:${from.port}`) }));
    const sender = addProc(a, 'p', (ctx) => ctx.send('10.0.0.2', 7, { type: 'hello' }, 2380));
    expect(sender.process.state).toBe('running');
    sim.runUntil(US_PER_MS);
    expect(got).toEqual(['250 hello 10.0.0.1:2380']);
  });

  it('are dropped with a reason when no one listens, the host is down, or the address is unknown', () => {
    const { sim, hosts, send } = mesh(3);
    const trace = new MemorySink(['msg.drop']);
    sim.engine.trace.addSink(trace);
    hosts[1]!.process('p').crash(); // h1 has no listener now
    hosts[2]!.crash();
    send(0, 1, 'x');
    send(0, 2, 'y');
    sim.engine.schedule(0, () => hosts[0]!.processes.get('p')!.context!.send('10.9.9.9', 7, { type: 'test' }));
    sim.runUntil(10 * US_PER_MS);
    // A down host or an unknown address drops at send; a missing listener is found on arrival.
    expect(trace.events.map((e) => (e.kind === 'msg.drop' ? `${e.to} ${e.reason} t=${e.tUs}` : ''))).toEqual(['h2 host-down t=0', '10.9.9.9 host-down t=0', expect.stringMatching(/^h1 no-listener t=[1-9]/)]);
    expect(sim.network.stats.datagramsDropped).toBe(3);
  });

  it('sent as stream messages are never duplicated, whatever the duplicate rate', () => {
    const { sim, hosts, inbox } = mesh(2);
    sim.network.setLink({ from: '*', to: '*' }, { duplicateRate: 1 });
    const ctx = hosts[0]!.processes.get('p')!.context!;
    sim.engine.schedule(0, () => {
      for (let i = 0; i < 20; i++) ctx.send(hosts[1]!.address, 7, { type: 'test', text: `s${i}` } as never, 0, true);
      ctx.send(hosts[1]!.address, 7, { type: 'test', text: 'plain' } as never);
    });
    sim.runUntil(10 * US_PER_MS);
    expect(inbox.get('h1')!.filter((t) => t.startsWith('s')).length).toBe(20);
    expect(inbox.get('h1')!.filter((t) => t.startsWith('plain<')).length).toBe(2);
  });

  it('sent on a cut path are lost even if the path heals before they would have arrived', () => {
    const { sim, hosts, inbox, send } = mesh(2);
    sim.network.cut(hosts[0]!, hosts[1]!);
    send(0, 1, 'during the cut');
    sim.engine.schedule(US_PER_MS / 2, () => sim.network.heal());
    sim.runUntil(10 * US_PER_MS);
    expect(inbox.get('h1')).toEqual([]);
  });

  it('already on the wire when a cut starts, or when the sender crashes, still arrive', () => {
    const { sim, hosts, inbox, send } = mesh(3);
    send(0, 1, 'before the cut');
    send(2, 1, 'before the crash');
    sim.engine.schedule(US_PER_MS / 2, () => {
      sim.network.cut(hosts[0]!, hosts[1]!);
      hosts[2]!.crash();
    });
    sim.runUntil(10 * US_PER_MS);
    expect(inbox.get('h1')).toEqual(['before the cut<10.0.0.1', 'before the crash<10.0.0.3']);
  });

  it('go to whoever holds a floating address (VIP) when they are sent', () => {
    const { sim, hosts, inbox, send } = mesh(3);
    sim.network.assignAddress('10.0.0.100', hosts[1]!);
    const vipSend = (text: string): void => hosts[0]!.process('p').context!.send('10.0.0.100', 7, { type: 'test', text });
    vipSend('to h1');
    sim.runUntil(5 * US_PER_MS);
    sim.network.assignAddress('10.0.0.100', hosts[2]!);
    vipSend('to h2');
    sim.runUntil(10 * US_PER_MS);
    sim.network.assignAddress('10.0.0.100', null);
    vipSend('to nobody');
    sim.runUntil(15 * US_PER_MS);
    expect(inbox.get('h1')).toEqual(['to h1<10.0.0.1']);
    expect(inbox.get('h2')).toEqual(['to h2<10.0.0.1']);
    expect(sim.network.resolve('10.0.0.100')).toBeUndefined();
    expect(() => sim.network.assignAddress('10.0.0.1', hosts[2]!)).toThrow(/fixed address of h0/);
    expect(send).toBeTypeOf('function');
  });

  it('to a paused process wait in the kernel and are handed over on resume', () => {
    const { sim, hosts, inbox, send } = mesh(2);
    const p = hosts[1]!.process('p');
    p.pause();
    send(0, 1, 'while paused');
    sim.runUntil(10 * US_PER_MS);
    expect(inbox.get('h1')).toEqual([]);
    p.resume();
    sim.runUntil(11 * US_PER_MS);
    expect(inbox.get('h1')).toEqual(['while paused<10.0.0.1']);
  });
});

describe('partition verbs', () => {
  it('cut is one-way', () => {
    const { sim, hosts, probe } = mesh(3);
    sim.network.cut(hosts[0]!, hosts[1]!);
    expect(probe()).toEqual(allPairs(3, (i, j) => i === 0 && j === 1));
    expect(sim.network.cutPairs()).toEqual([['h0', 'h1']]);
    expect(sim.network.isCut(hosts[0]!, hosts[1]!)).toBe(true);
    expect(sim.network.isCut(hosts[1]!, hosts[0]!)).toBe(false);
  });

  it('partition groups cannot reach each other, both ways; hosts in no group are unaffected', () => {
    const { sim, hosts, probe } = mesh(5);
    sim.network.partition([[hosts[0]!, hosts[1]!], [hosts[2]!, hosts[3]!]]);
    const groupOf = (i: number): number => (i <= 1 ? 0 : i <= 3 ? 1 : -1);
    expect(probe()).toEqual(allPairs(5, (i, j) => groupOf(i) >= 0 && groupOf(j) >= 0 && groupOf(i) !== groupOf(j)));
  });

  it('isolate cuts one host off, both ways', () => {
    const { sim, hosts, probe } = mesh(4);
    sim.network.isolate(hosts[2]!);
    expect(probe()).toEqual(allPairs(4, (i, j) => i === 2 || j === 2));
  });

  it('heal of one host removes only the cuts touching it; heal of all removes every cut', () => {
    const { sim, hosts, probe } = mesh(4);
    sim.network.isolate(hosts[0]!);
    sim.network.cut(hosts[2]!, hosts[3]!);
    sim.network.heal(hosts[0]!);
    expect(probe()).toEqual(allPairs(4, (i, j) => i === 2 && j === 3));
    sim.network.heal();
    expect(probe()).toEqual(allPairs(4));
    expect(sim.network.cutPairs()).toEqual([]);
  });

  it('partition verbs as faults in a plan do the same, at their times', () => {
    const { sim, probe } = mesh(3);
    sim.start([
      { atUs: 1, fault: { kind: 'partition', groups: [['h0'], ['h1', 'h2']] } },
      { atUs: 2, fault: { kind: 'cut', from: 'h1', to: 'h2' } },
      { atUs: 3, fault: { kind: 'heal', host: 'h0' } },
    ]);
    sim.runUntil(3);
    expect(probe()).toEqual(allPairs(3, (i, j) => i === 1 && j === 2));
    sim.faults.apply({ kind: 'isolate', host: 'h1' });
    expect(probe()).toEqual(allPairs(3, (i, j) => i === 1 || j === 1));
    sim.faults.apply({ kind: 'heal' });
    expect(probe()).toEqual(allPairs(3));
  });
});

/** Sends `count` datagrams from a to b on a link with the given model; returns delivery counts and arrival order. */
function linkTrial(seed: number, count: number, patch: Parameters<Simulation['network']['setLink']>[1]) {
  const sim = newSim(seed, 1_000);
  const a = sim.addHost('a', { address: '10.0.0.1' });
  const b = sim.addHost('b', { address: '10.0.0.2' });
  const got: number[] = [];
  let heldBack = 0;
  addProc(b, 'p', (ctx) =>
    ctx.listen(7, {
      onDatagram: (msg) => {
        const n = (msg as TestMessage).n!;
        got.push(n);
        if (sim.engine.nowUs - n * 10 > 1_000) heldBack++;
      },
    }),
  );
  const sender = addProc(a, 'p', () => ({}));
  sim.network.setLink({ from: 'a', to: 'b' }, patch);
  for (let i = 0; i < count; i++) sim.engine.scheduleAt(i * 10, () => sender.ctxs[0]!.send('10.0.0.2', 7, { type: 'test', n: i }));
  sim.runUntil(count * 10 + 1_000_000);
  let inversions = 0;
  for (let i = 1; i < got.length; i++) if (got[i]! < got[i - 1]!) inversions++;
  return { delivered: got.length, distinct: new Set(got).size, inversions, heldBack, stats: sim.network.stats };
}

/** |observed - n p| <= 4 sigma of a binomial(n, p): fails by chance with probability < 1e-4. */
function expectBinomial(observed: number, n: number, p: number): void {
  const sigma = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(observed - n * p)).toBeLessThanOrEqual(4 * sigma);
}

describe('loss, duplication and reordering rates', () => {
  // 40 seeds x 500 datagrams = 20,000 trials per rate; the bound is 4 binomial standard deviations.
  const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
  const perSeed = 500;

  it('loss drops each datagram independently with the configured probability', () => {
    for (const p of [0.01, 0.2, 0.5]) {
      let lost = 0;
      for (const seed of seeds) lost += perSeed - linkTrial(seed, perSeed, { lossRate: p }).delivered;
      expectBinomial(lost, seeds.length * perSeed, p);
    }
  });

  it('duplication delivers an extra copy with the configured probability', () => {
    let extra = 0;
    for (const seed of seeds) {
      const r = linkTrial(seed, perSeed, { duplicateRate: 0.1 });
      expect(r.distinct).toBe(perSeed);
      extra += r.delivered - perSeed;
      expect(r.stats.duplicates).toBe(r.delivered - perSeed);
    }
    expectBinomial(extra, seeds.length * perSeed, 0.1);
  });

  it('reordering holds back a datagram by an extra delay with the configured probability', () => {
    // Datagrams 10 µs apart, 1 ms latency; a held-back one waits 5 ms more, so the next ones overtake it.
    let heldBack = 0;
    let inversions = 0;
    const p = 0.1;
    for (const seed of seeds) {
      const r = linkTrial(seed, perSeed, { reorderRate: p, reorderDelay: { kind: 'constant', us: 5_000 } });
      expect(r.delivered).toBe(perSeed);
      heldBack += r.heldBack;
      inversions += r.inversions;
    }
    expectBinomial(heldBack, seeds.length * perSeed, p);
    // Each held-back datagram that follows one that was not is an inversion in the arrival order.
    expect(inversions).toBeGreaterThan(0);
    expect(inversions).toBeLessThanOrEqual(heldBack);
  });

  it('no loss, duplication or reordering by default', () => {
    const r = linkTrial(1, 1_000, {});
    expect(r).toMatchObject({ delivered: 1_000, distinct: 1_000, inversions: 0 });
  });

  it('link overrides apply to matching pairs; clearLinks removes them', () => {
    const sim = newSim();
    const a = sim.addHost('a', { address: '10.0.0.1' });
    const b = sim.addHost('b', { address: '10.0.0.2' });
    sim.network.setLink({ from: '*', to: 'b' }, { lossRate: 1 });
    expect(sim.network.link(a, b).model.lossRate).toBe(1);
    expect(sim.network.link(b, a).model.lossRate).toBe(0);
    sim.network.setLink({ from: 'a', to: 'b' }, { lossRate: 0.5 });
    expect(sim.network.link(a, b).model.lossRate).toBe(0.5); // later overrides win
    sim.network.clearLinks({ from: 'a', to: 'b' });
    expect(sim.network.link(a, b).model.lossRate).toBe(1);
    sim.network.clearLinks();
    expect(sim.network.link(a, b).model.lossRate).toBe(0);
    // Loopback keeps its own model.
    expect(sim.network.link(a, a).model.latency).toEqual({ kind: 'constant', us: 20 });
  });
});
