// Small builders shared by the src/sim tests.
import { Simulation } from '../../src/sim/simulation';
import type { Host } from '../../src/sim/host';
import type { Process, ProcessBehavior, ProcessContext } from '../../src/sim/process';
import type { ConnHandlers, LinkModel, Message } from '../../src/sim/network';

/** A link with a fixed one-way latency and no loss, for tests that need exact arrival times. */
export function fixedLink(us: number): Partial<LinkModel> {
  return { latency: { kind: 'constant', us } };
}

/** A simulation whose links all have a constant latency (default 1 ms) unless the test says otherwise. */
export function newSim(seed: number | string = 1, latencyUs = 1_000): Simulation {
  const sim = new Simulation({ seed });
  sim.network.defaultLink = { ...sim.network.defaultLink, latency: { kind: 'constant', us: latencyUs } };
  return sim;
}

export interface TestMessage extends Message {
  readonly type: string;
  readonly n?: number;
  readonly text?: string;
}

/** A process whose behaviour is written inline by the test; `ctxs` keeps every incarnation's context. */
export function addProc(host: Host, name: string, create: (ctx: ProcessContext) => ProcessBehavior | void, autostart = true): { process: Process; ctxs: ProcessContext[] } {
  const ctxs: ProcessContext[] = [];
  const process = host.addProcess({
    name,
    autostart,
    create(ctx) {
      ctxs.push(ctx);
      return create(ctx) ?? {};
    },
  });
  return { process, ctxs };
}

/** Connection handlers that record what happens, stamped with simulated time. */
export function recordingHandlers(sim: Simulation, log: string[], label: string): ConnHandlers {
  return {
    onOpen: () => log.push(`${sim.engine.nowUs} ${label} open`),
    onData: (data) => log.push(`${sim.engine.nowUs} ${label} data ${(data as TestMessage).text ?? data.type}`),
    onClose: (reason) => log.push(`${sim.engine.nowUs} ${label} close ${reason}`),
  };
}

/** Two hosts `a` (10.0.0.1) and `b` (10.0.0.2). */
export function twoHosts(sim: Simulation): { a: Host; b: Host } {
  return { a: sim.addHost('a', { address: '10.0.0.1' }), b: sim.addHost('b', { address: '10.0.0.2' }) };
}
