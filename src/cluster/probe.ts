// The API availability probe: a client outside the cluster (host `client`) that reads a Lease through the load
// balancer every second (a quorum read: it needs a reachable apiserver and an etcd with a leader), each read with
// a 5 s timeout, as an external monitor would. Reads are sent every second whether or not earlier ones have
// answered (they share one HTTP/2 connection), so availability has a one-second resolution: the second starting
// at a read's send time is unavailable when that read got a 5xx, a timeout or a connection error (a 404 is still an
// answer). Unavailability is counted from the first successful read on (start-up is not an outage); reads still
// unanswered when the run ends are not counted either way.
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
  /** Unavailable time so far (µs): failed one-second probe slots after the first success. */
  unavailableUs(): number;
}

export function apiProbe(engine: Engine, server: { address: string; port: number }): ApiProbe {
  /** Engine time of the first successful read's send (null until one succeeds). */
  let firstOkSentUs: number | null = null;
  /** Send times of failed reads, in order of their answers. */
  const failedSentUs: number[] = [];
  /** The state last reported in the trace, by send order: a later-sent read's answer wins. */
  let reportedSentUs = -1;
  let available: boolean | null = null;
  const report = (ok: boolean, sentUs: number, detail: string): void => {
    if (ok && (firstOkSentUs === null || sentUs < firstOkSentUs)) firstOkSentUs = sentUs;
    if (!ok) failedSentUs.push(sentUs);
    if (sentUs < reportedSentUs) return;
    reportedSentUs = sentUs;
    if (available !== ok && (firstOkSentUs !== null || ok)) {
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
      const tick = (): void => {
        ctx.setTimer(PROBE_INTERVAL_US, tick);
        const sentUs = engine.nowUs;
        client.get(LEASES, 'kube-system', 'kube-scheduler', {}, (r) => {
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
    unavailableUs: () => {
      if (firstOkSentUs === null) return 0;
      const from = firstOkSentUs;
      let slots = 0;
      for (const sentUs of failedSentUs) if (sentUs > from) slots++;
      return slots * PROBE_INTERVAL_US;
    },
  };
}
