// Load balancer health checking: a backend that is dead -- its host down, its apiserver not running, or cut off
// from the load balancer -- must be taken out of rotation within the health checks' own bound
// (fall x (inter + timeout check) + inter, plus slack). Otherwise new client connections keep landing on a dead
// apiserver. Sampled every `periodUs`; a violation stops the run as an engine invariant (a liveness failure).
import type { Engine, Invariant, InvariantFailure } from '../../sim/engine';
import type { Host } from '../../sim/host';
import type { Network } from '../../sim/network';
import { formatDurationUs, formatSimTime } from '../../sim/time';

export const LB_HEALTH = 'lb-health';

export interface LbBackendProbe {
  /** The backend server's name in the LB (the control-plane host's name). */
  readonly name: string;
  readonly host: Host;
  /** The backend's apiserver can serve (its process active). */
  serving(): boolean;
}

export interface LbProbe {
  readonly host: Host;
  /** The LB process runs (not crashed, not paused). */
  running(): boolean;
  /** Whether the LB has `server` UP now (null when it does not know the server). */
  isUp(server: string): boolean | null;
}

export class LbHealthMonitor {
  private readonly deadSinceUs = new Map<string, number>();
  private failure: InvariantFailure | null = null;
  readonly invariant: Invariant = { name: LB_HEALTH, check: () => this.failure };

  constructor(
    private readonly engine: Engine,
    private readonly network: Network,
    private readonly lbs: readonly LbProbe[],
    private readonly backends: readonly LbBackendProbe[],
    /** How long a dead backend may stay UP. */
    readonly boundUs: number,
    readonly periodUs = 250_000,
  ) {
    if (!(boundUs > 0) || !(periodUs > 0)) throw new RangeError('lb health: boundUs and periodUs must be > 0');
  }

  start(): void {
    const tick = (): void => {
      this.sample();
      if (this.failure === null) this.engine.schedule(this.periodUs, tick);
    };
    this.engine.schedule(this.periodUs, tick);
  }

  private dead(lb: LbProbe, b: LbBackendProbe): boolean {
    return !b.host.up || !b.serving() || this.network.isCut(lb.host, b.host) || this.network.isCut(b.host, lb.host);
  }

  private sample(): void {
    const now = this.engine.nowUs;
    for (const lb of this.lbs) {
      for (const b of this.backends) {
        const key = `${lb.host.name}>${b.name}`;
        // Only while the LB itself runs and the backend stays dead does the clock run.
        if (!lb.host.up || !lb.running() || !this.dead(lb, b)) {
          this.deadSinceUs.delete(key);
          continue;
        }
        const since = this.deadSinceUs.get(key);
        if (since === undefined) {
          this.deadSinceUs.set(key, now);
          continue;
        }
        if (now - since >= this.boundUs && lb.isUp(b.name) === true) {
          this.failure = {
            message: `load balancer ${lb.host.name} still sends clients to ${b.name}, dead since ${formatSimTime(since)} (${formatDurationUs(now - since)}, more than its health checks allow: ${formatDurationUs(this.boundUs)})`,
            hosts: [lb.host.name, b.host.name],
          };
          return;
        }
      }
    }
  }
}
