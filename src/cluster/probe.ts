// The API availability probe: a client outside the cluster (host `client`) that reads a Lease through the load
// balancer every second (a quorum read: it needs a reachable apiserver and an etcd with a leader), with a 5 s
// timeout, as an external monitor would. A probe that gets any HTTP answer below 500 counts as available (a 404
// is still an answer); a 5xx, a timeout or a connection error counts as unavailable, for the time until the next
// probe is sent. Unavailability is counted from the first successful probe on (start-up is not an outage).
import { LEASES } from '../apiserver/objects';
import { RestClient, RestTransport } from '../client/rest-client';
import type { Engine } from '../sim/engine';
import type { ProcessSpec } from '../sim/process';
import './trace-events';

export const PROBE_PROCESS = 'api-probe';
export const PROBE_INTERVAL_US = 1_000_000;
export const PROBE_TIMEOUT_US = 5_000_000;

export interface ApiProbe {
  readonly spec: ProcessSpec;
  /** Unavailable time so far (µs), counted in engine time. */
  unavailableUs(): number;
}

export function apiProbe(engine: Engine, server: { address: string; port: number }): ApiProbe {
  let everAvailable = false;
  let available: boolean | null = null;
  /** Engine time the current unavailable stretch began (null while available). */
  let downSinceUs: number | null = null;
  let totalUs = 0;
  const report = (ok: boolean, sentUs: number, detail: string): void => {
    if (ok) {
      everAvailable = true;
      if (downSinceUs !== null) totalUs += sentUs - downSinceUs;
      downSinceUs = null;
    } else if (everAvailable && downSinceUs === null) downSinceUs = sentUs;
    if (available !== ok && (everAvailable || ok)) {
      available = ok;
      const trace = engine.trace;
      if (trace.wants('cluster.api')) trace.emit('cluster.api', { available: ok, detail });
    }
  };
  const spec: ProcessSpec = {
    name: PROBE_PROCESS,
    create(ctx) {
      const transport = new RestTransport(ctx, { server });
      const client = new RestClient(transport, { userAgent: 'kube-ha-sim-probe', qps: -1, timeoutUs: PROBE_TIMEOUT_US });
      let inFlight = false;
      const tick = (): void => {
        ctx.setTimer(PROBE_INTERVAL_US, tick);
        if (inFlight) return;
        inFlight = true;
        const sentUs = engine.nowUs;
        client.get(LEASES, 'kube-system', 'kube-scheduler', {}, (r) => {
          inFlight = false;
          const ok = r.ok || (r.error.kind === 'status' && r.error.code < 500);
          report(ok, sentUs, r.ok ? 'GET lease: 200' : r.error.message);
        });
      };
      tick();
      return {};
    },
  };
  return {
    spec,
    unavailableUs: () => totalUs + (downSinceUs !== null ? engine.nowUs - downSinceUs : 0),
  };
}
