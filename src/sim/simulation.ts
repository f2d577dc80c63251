// A simulation: the engine, the network with its hosts, and the fault injector, built from one seed.
import { Engine, type EngineOptions, type StopReason } from './engine';
import { FaultInjector, type FaultPlan } from './faults';
import type { Host, HostOptions } from './host';
import { Network } from './network';

export class Simulation {
  readonly engine: Engine;
  readonly network: Network;
  readonly faults: FaultInjector;

  constructor(options: EngineOptions) {
    this.engine = new Engine(options);
    this.network = new Network(this.engine);
    this.faults = new FaultInjector(this.engine, this.network);
  }

  addHost(name: string, options: HostOptions): Host {
    return this.network.addHost(name, options);
  }

  host(name: string): Host {
    return this.network.host(name);
  }

  /** Logs the plan (trace 'run.start') and schedules it. */
  start(plan: FaultPlan = [], scenario: string | null = null): void {
    this.engine.trace.emit('run.start', { seed: this.engine.seed, scenario, faults: plan });
    this.faults.schedule(plan);
  }

  runUntil(untilUs: number): StopReason {
    return this.engine.runUntil(untilUs);
  }

  /** Ends the run: records 'run.end' and closes the trace sinks. */
  finish(reason: string): void {
    this.engine.trace.emit('run.end', { reason, events: this.engine.eventsRun });
    this.engine.trace.close();
  }
}
