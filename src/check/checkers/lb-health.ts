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
  /** The backend's apiserver process: running, paused (it accepts connections but never answers), or gone. */
  state(): 'running' | 'paused' | 'gone';
}

/**
 * How a dead backend fails its health checks, which decides how long HAProxy takes to notice: a refused connection
 * fails at once; an unreachable host fails at the check's connect timeout (min(timeout connect, inter)); a hung
 * apiserver accepts the connection and fails at `timeout check`.
 */
export type DeathKind = 'refused' | 'unreachable' | 'hung';

/** Time bounds per death kind: fall x (inter + the failing check's duration) + inter + slack. */
export function lbDetectionBoundsUs(timing: { interUs: number; fall: number; timeoutConnectUs: number; timeoutCheckUs: number }, slackUs = 5_000_000): Record<DeathKind, number> {
  const { interUs, fall } = timing;
  const bound = (checkUs: number): number => fall * (interUs + checkUs) + interUs + slackUs;
  return { refused: bound(0), unreachable: bound(Math.min(timing.timeoutConnectUs, interUs)), hung: bound(timing.timeoutCheckUs) };
}

export interface LbProbe {
  readonly host: Host;
  /** The LB process runs (not crashed, not paused). */
  running(): boolean;
  /** Whether the LB has `server` UP now (null when it does not know the server). */
  isUp(server: string): boolean | null;
}

export class LbHealthMonitor {
  private readonly deadSinceUs = new Map<string, { sinceUs: number; kind: DeathKind }>();
  private failure: InvariantFailure | null = null;
  readonly invariant: Invariant = { name: LB_HEALTH, check: () => this.failure };

  constructor(
    private readonly engine: Engine,
    private readonly network: Network,
    private readonly lbs: readonly LbProbe[],
    private readonly backends: readonly LbBackendProbe[],
    /** How long a dead backend may stay UP, by how it fails its checks. */
    readonly boundsUs: Readonly<Record<DeathKind, number>>,
    readonly periodUs = 250_000,
  ) {
    if (!Object.values(boundsUs).every((b) => b > 0) || !(periodUs > 0)) throw new RangeError('lb health: bounds and periodUs must be > 0');
  }

  start(): void {
    const tick = (): void => {
      this.sample();
      if (this.failure === null) this.engine.schedule(this.periodUs, tick);
    };
    this.engine.schedule(this.periodUs, tick);
  }

  private death(lb: LbProbe, b: LbBackendProbe): DeathKind | null {
    if (!b.host.up || this.network.isCut(lb.host, b.host) || this.network.isCut(b.host, lb.host)) return 'unreachable';
    const state = b.state();
    return state === 'gone' ? 'refused' : state === 'paused' ? 'hung' : null;
  }

  private sample(): void {
    const now = this.engine.nowUs;
    for (const lb of this.lbs) {
      for (const b of this.backends) {
        const key = `${lb.host.name}>${b.name}`;
        // Only while the LB itself runs and the backend stays dead does the clock run.
        const kind = lb.host.up && lb.running() ? this.death(lb, b) : null;
        const dead = this.deadSinceUs.get(key);
        if (kind === null) {
          this.deadSinceUs.delete(key);
          continue;
        }
        if (dead === undefined || dead.kind !== kind) {
          this.deadSinceUs.set(key, { sinceUs: now, kind });
          continue;
        }
        const boundUs = this.boundsUs[kind];
        if (now - dead.sinceUs >= boundUs && lb.isUp(b.name) === true) {
          const how = kind === 'refused' ? 'its apiserver is not running' : kind === 'hung' ? 'its apiserver is frozen' : 'unreachable';
          this.failure = {
            message: `load balancer ${lb.host.name} still sends clients to ${b.name} (${how}) since ${formatSimTime(dead.sinceUs)}: ${formatDurationUs(now - dead.sinceUs)}, more than its health checks allow (${formatDurationUs(boundUs)})`,
            hosts: [lb.host.name, b.host.name],
          };
          return;
        }
      }
    }
  }
}
