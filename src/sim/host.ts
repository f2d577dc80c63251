// A simulated machine: an address on the network, its own clocks, a disk that survives crashes, and the
// processes it runs. Crashing a host kills every process on it without cleanup and silences it on the network
// (peers see timeouts, not resets); booting it starts its autostart processes again.
import type { Engine } from './engine';
import { HostClock, type ClockOptions } from './clock';
import type { Network } from './network';
import { fireTimer, Process, type ProcessSpec, type Timer } from './process';

export interface HostOptions {
  /** IPv4 address, e.g. 10.0.0.10. */
  readonly address: string;
  readonly clock?: ClockOptions;
}

export class Host {
  up = true;
  readonly clock: HostClock;
  readonly disk = new Map<string, unknown>();
  readonly processes = new Map<string, Process>();
  /** Dense index used by the network for link tables. */
  readonly index: number;

  constructor(
    readonly name: string,
    readonly address: string,
    index: number,
    readonly engine: Engine,
    readonly network: Network,
    clockOptions: ClockOptions = {},
  ) {
    this.index = index;
    this.clock = new HostClock(engine, clockOptions);
    this.clock.onMonotonicChange = () => this.retimeTimers();
  }

  /**
   * Re-schedules the pending timers of this host's processes after its monotonic clock changed rate or jumped:
   * a timer fires when the local monotonic clock reaches its deadline (at once if a jump already passed it).
   */
  private retimeTimers(): void {
    const engine = this.engine;
    const clock = this.clock;
    const pending = engine.findEvents((event) => event.fn === fireTimer && (event.arg as Timer).process.host === this);
    const nowMonoUs = clock.monoUs();
    for (const event of pending) {
      const timer = event.arg as Timer;
      engine.cancel(event);
      const remainingUs = timer.deadlineMonoUs - nowMonoUs;
      timer.event = engine.schedule(remainingUs <= 0 ? 0 : clock.engineDelayUs(remainingUs), fireTimer, timer);
    }
  }

  /** Adds a process; it starts now if the host is up and the spec autostarts. */
  addProcess(spec: ProcessSpec): Process {
    if (this.processes.has(spec.name)) throw new Error(`host ${this.name} already runs a process named ${spec.name}`);
    const process = new Process(this, spec, this.engine);
    this.processes.set(spec.name, process);
    if (this.up && spec.autostart !== false) process.start('boot');
    return process;
  }

  process(name: string): Process {
    const process = this.processes.get(name);
    if (process === undefined) {
      throw new Error(`host ${this.name} has no process ${name} (it has: ${[...this.processes.keys()].join(', ') || 'none'})`);
    }
    return process;
  }

  /** Power loss / kernel panic: every process dies at once, the host drops off the network. */
  crash(reason = 'host crashed'): void {
    if (!this.up) return;
    // Down first, so an exit listener (a supervisor) cannot start a process on a host that is going away.
    this.up = false;
    for (const process of this.processes.values()) process.crash('host-crash', reason);
    this.emit();
  }

  /** Power on: the host is back on the network and its autostart processes start. */
  boot(): void {
    if (this.up) return;
    this.up = true;
    this.emit();
    for (const process of this.processes.values()) if (process.spec.autostart !== false && !process.alive) process.start('boot');
  }

  private emit(): void {
    const trace = this.engine.trace;
    if (trace.wants('host.state')) trace.emit('host.state', { host: this.name, up: this.up });
  }
}
