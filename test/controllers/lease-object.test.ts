// The Lease kube-system/kube-scheduler as the apiserver serves it (what `kubectl get lease kube-scheduler -n
// kube-system -o yaml` prints), on the full control plane: the real format of every field.
import { describe, expect, it } from 'vitest';
import { LEASES, type Lease } from '../../src/apiserver/objects';
import { RestClient, RestTransport, type ApiResult } from '../../src/client/rest-client';
import type { ProcessContext } from '../../src/sim/process';
import { realCluster, S, SCHEDULER_LEASE } from './real-cluster';

const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `kubectl get lease <name> -n kube-system` from an admin host, straight to server-0's apiserver. */
function getLease(r: ReturnType<typeof realCluster>, ctx: ProcessContext, name: string): Lease {
  let result: ApiResult<Lease> | null = null;
  const client = new RestClient(new RestTransport(ctx, { server: { address: '10.0.0.10' } }), { userAgent: 'kubectl/v1.34.0 (linux/amd64) kubernetes/0000000' });
  client.get(LEASES, 'kube-system', name, { timeoutUs: 5 * S }, (r2) => (result = r2));
  r.sim.runUntil(r.sim.engine.nowUs + 1 * S);
  const got = result as ApiResult<Lease> | null;
  if (got === null) throw new Error('no answer');
  if (!got.ok) throw new Error(got.error.message);
  return got.object;
}

function adminContext(r: ReturnType<typeof realCluster>): ProcessContext {
  let ctx: ProcessContext | null = null;
  r.sim.addHost('admin', { address: '10.0.0.200' }).addProcess({
    name: 'kubectl',
    create(c) {
      ctx = c;
      return {};
    },
  });
  return ctx!;
}

describe('the kube-scheduler Lease as served by the apiserver', () => {
  it('has the real shape: coordination.k8s.io/v1 metadata and spec, MicroTime with 6 digits, holder <host>_<uuid>', () => {
    const r = realCluster({ seed: 21 });
    r.sim.runUntil(30 * S);
    const lease = getLease(r, adminContext(r), 'kube-scheduler');
    expect(lease.apiVersion).toBe('coordination.k8s.io/v1');
    expect(lease.kind).toBe('Lease');
    expect(lease.metadata.name).toBe('kube-scheduler');
    expect(lease.metadata.namespace).toBe('kube-system');
    expect(lease.metadata.uid).toMatch(UUID);
    expect(lease.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(lease.metadata.creationTimestamp).toMatch(TIME);
    expect(Object.keys(lease.spec).sort()).toEqual(['acquireTime', 'holderIdentity', 'leaseDurationSeconds', 'leaseTransitions', 'renewTime']);
    const leader = r.acting.actingNow(SCHEDULER_LEASE)[0]!;
    expect(lease.spec.holderIdentity).toBe(leader.identity);
    expect(lease.spec.holderIdentity).toMatch(new RegExp(`^${leader.host}_[0-9a-f-]{36}$`));
    expect(lease.spec.leaseDurationSeconds).toBe(15);
    expect(lease.spec.leaseTransitions).toBe(0);
    expect(lease.spec.acquireTime).toMatch(MICRO_TIME);
    expect(lease.spec.renewTime).toMatch(MICRO_TIME);
    expect(lease.spec.renewTime! >= lease.spec.acquireTime!).toBe(true);
  });

  it('after a fail-over: leaseTransitions 1 and a new acquireTime; after a graceful stop: holderIdentity "" and leaseDurationSeconds 1', () => {
    const r = realCluster({ seed: 22 });
    const admin = adminContext(r);
    r.sim.runUntil(20 * S);
    const first = getLease(r, admin, 'kube-scheduler');
    const leader = r.acting.actingNow(SCHEDULER_LEASE)[0]!;
    r.sim.faults.apply({ kind: 'crash', host: leader.host, process: 'kube-scheduler' });
    r.sim.runUntil(r.sim.engine.nowUs + 30 * S);
    const second = getLease(r, admin, 'kube-scheduler');
    const next = r.acting.actingNow(SCHEDULER_LEASE).find((i) => i.identity !== leader.identity)!;
    expect(second.spec.holderIdentity).toBe(next.identity);
    expect(second.spec.leaseTransitions).toBe(1);
    expect(second.spec.acquireTime! > first.spec.acquireTime!).toBe(true);
    // Graceful stop of the new leader: released.
    r.sim.faults.apply({ kind: 'stop', host: next.host, process: 'kube-scheduler' });
    r.sim.runUntil(r.sim.engine.nowUs + 200_000);
    const released = getLease(r, admin, 'kube-scheduler');
    if (released.spec.holderIdentity !== '') {
      // A standby may already have taken it (it polls every 2-4.4 s); then it is the third holder.
      expect(released.spec.leaseTransitions).toBe(2);
      return;
    }
    expect(released.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 1 });
    expect(released.spec.acquireTime).toBe(released.spec.renewTime);
  });
});
