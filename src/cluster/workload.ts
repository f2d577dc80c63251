// The scenario's workload (spec.workload): ReplicaSets and Pods created through the load balancer at their times by
// a client outside the cluster (host `client`, process `workload`), as `kubectl create` runs would: each attempt is
// a new connection (a new kubectl process), with a 10 s request timeout; a failed create is retried every second
// until it succeeds (AlreadyExists counts as done). The ReplicaSet controller then creates the
// pods and the scheduler binds them, so a fail-over shows as pods waiting to be scheduled.
import { PODS, REPLICASETS, type Pod, type ReplicaSet } from '../apiserver/objects';
import { RestClient, RestTransport } from '../client/rest-client';
import { isAlreadyExists } from '../client/errors';
import type { Engine } from '../sim/engine';
import type { ProcessSpec } from '../sim/process';
import type { LeaderAction } from '../lease/acting';
import type { WorkloadSpec } from './spec';

export const WORKLOAD_PROCESS = 'workload';
const RETRY_US = 1_000_000;
const CONTAINER = { name: 'app', image: 'registry.k8s.io/pause:3.10' };

export interface WorkloadCreator {
  readonly spec: ProcessSpec;
  /** Pods (namespace/name) created directly, with their creation time (engine µs). */
  readonly podsCreated: Map<string, number>;
}

export function workloadCreator(engine: Engine, workload: WorkloadSpec, server: { address: string; port: number }): WorkloadCreator {
  const podsCreated = new Map<string, number>();
  /** Items already created (kept across restarts of the creator: it is the user, not a process to model). */
  const done = new Set<string>();
  const spec: ProcessSpec = {
    name: WORKLOAD_PROCESS,
    create(ctx) {
      const startUs = engine.nowUs;
      const attempt = (key: string, create: (client: RestClient, cb: (ok: boolean) => void) => void): void => {
        if (done.has(key)) return;
        const transport = new RestTransport(ctx, { server });
        const client = new RestClient(transport, { userAgent: 'kubectl/v1.34.0 (linux/amd64) kubernetes/0000000', timeoutUs: 10_000_000 });
        create(client, (ok) => {
          transport.close();
          if (ok) done.add(key);
          else ctx.setTimer(RETRY_US, () => attempt(key, create));
        });
      };
      for (const rs of workload.replicaSets) {
        const object: ReplicaSet = {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: { name: rs.name, namespace: rs.namespace },
          spec: { replicas: rs.replicas, selector: { matchLabels: { app: rs.name } }, template: { metadata: { labels: { app: rs.name } }, spec: { containers: [CONTAINER] } } },
        };
        ctx.setTimer(Math.max(0, rs.atUs - startUs), () =>
          attempt(`rs/${rs.namespace}/${rs.name}`, (client, cb) => client.create(REPLICASETS, rs.namespace, object, {}, (r) => cb(r.ok || isAlreadyExists(r.error)))),
        );
      }
      for (const p of workload.pods) {
        const object: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: p.namespace }, spec: { containers: [CONTAINER] } };
        ctx.setTimer(Math.max(0, p.atUs - startUs), () =>
          attempt(`pod/${p.namespace}/${p.name}`, (client, cb) =>
            client.create(PODS, p.namespace, object, {}, (r) => {
              if (r.ok) podsCreated.set(`${p.namespace}/${p.name}`, engine.nowUs);
              cb(r.ok || isAlreadyExists(r.error));
            }),
          ),
        );
      }
      return {};
    },
  };
  return { spec, podsCreated };
}

/** Creation -> first successful binding of every pod, from the creator and the acting leaders' actions. */
export function schedulingDelays(podsCreated: ReadonlyMap<string, number>, actions: readonly LeaderAction[]): { delaysUs: number[]; unscheduled: number } {
  const created = new Map(podsCreated);
  const bound = new Map<string, number>();
  for (const a of actions) {
    if (a.outcome !== 'ok') continue;
    if (a.action === 'create-pod' && !created.has(a.object)) created.set(a.object, a.tUs);
    else if (a.action === 'bind' && !bound.has(a.object)) bound.set(a.object, a.tUs);
  }
  const delaysUs: number[] = [];
  let unscheduled = 0;
  for (const [pod, atUs] of [...created].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const b = bound.get(pod);
    if (b === undefined) unscheduled++;
    else delaysUs.push(b - atUs);
  }
  return { delaysUs, unscheduled };
}
