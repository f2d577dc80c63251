// The apiserver's registry over etcd, seen by a client: keys, resourceVersion = mod_revision, create/update/delete
// semantics and the exact error texts (apimachinery pkg/api/errors, storage/etcd3 GuaranteedUpdate).
import { describe, expect, it } from 'vitest';
import { newPlane, startClient, API_ADDRESSES } from './harness';
import { LEASES, NODES, PODS, type Lease, type Node, type Pod } from '../../src/apiserver/objects';
import type { ApiResult } from '../../src/client/errors';

function lease(name: string, holder: string, rv?: string): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-system', ...(rv !== undefined ? { resourceVersion: rv } : {}) },
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: '2025-01-01T00:00:01.000000Z', renewTime: '2025-01-01T00:00:01.000000Z', leaseTransitions: 0 },
  };
}

function ok<T>(r: ApiResult<T>): T {
  if (!r.ok) throw new Error(`unexpected error: ${r.error.message}`);
  return r.object;
}

describe('registry', () => {
  it('stores a Lease under /registry/leases/<ns>/<name> with resourceVersion = mod_revision; GET returns it', () => {
    const plane = newPlane();
    const results: Array<ApiResult<Lease>> = [];
    startClient(plane.clientHost, 'c', API_ADDRESSES[0]!, (client, ctx) => {
      ctx.setTimer(2_000_000, () => {
        client.create(LEASES, 'kube-system', lease('kube-scheduler', 'a'), {}, (r) => {
          results.push(r);
          client.get(LEASES, 'kube-system', 'kube-scheduler', {}, (g) => results.push(g));
        });
      });
    });
    plane.sim.runUntil(3_000_000);
    expect(results).toHaveLength(2);
    const created = ok(results[0]!);
    const kv = plane.etcd.store.get('/registry/leases/kube-system/kube-scheduler');
    expect(kv).toBeDefined();
    expect(created.metadata.resourceVersion).toBe(String(kv!.modRevision));
    expect(JSON.parse(kv!.value).metadata.resourceVersion).toBeUndefined();
    expect(created.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.metadata.creationTimestamp).toBe('2025-01-01T00:00:02Z');
    const got = ok(results[1]!);
    expect(got).toEqual(created);
  });

  it('create of an existing object -> 409 AlreadyExists; stale resourceVersion -> 409 Conflict; no resourceVersion on a Lease -> 422', () => {
    const plane = newPlane();
    const log: string[] = [];
    startClient(plane.clientHost, 'c', API_ADDRESSES[1]!, (client, ctx) => {
      ctx.setTimer(2_000_000, () => {
        client.create(LEASES, 'kube-system', lease('kube-scheduler', 'a'), {}, (r1) => {
          const first = ok(r1);
          client.create(LEASES, 'kube-system', lease('kube-scheduler', 'b'), {}, (r2) => {
            log.push(r2.ok ? 'created twice' : `${r2.error.kind === 'status' ? r2.error.code : 0} ${r2.error.message}`);
            // A good update, then one with the now stale resourceVersion.
            client.update(LEASES, lease('kube-scheduler', 'a2', first.metadata.resourceVersion), {}, (r3) => {
              const second = ok(r3);
              log.push(`rv ${Number(second.metadata.resourceVersion) > Number(first.metadata.resourceVersion)}`);
              client.update(LEASES, lease('kube-scheduler', 'c', first.metadata.resourceVersion), {}, (r4) => {
                log.push(r4.ok ? 'stale update applied' : `${r4.error.kind === 'status' ? r4.error.code : 0} ${r4.error.message}`);
                client.update(LEASES, lease('kube-scheduler', 'c'), {}, (r5) => {
                  log.push(r5.ok ? 'unconditional update applied' : `${r5.error.kind === 'status' ? r5.error.code : 0} ${r5.error.message}`);
                });
              });
            });
          });
        });
      });
    });
    plane.sim.runUntil(3_000_000);
    expect(log).toEqual([
      '409 leases.coordination.k8s.io "kube-scheduler" already exists',
      'rv true',
      '409 Operation cannot be fulfilled on leases.coordination.k8s.io "kube-scheduler": the object has been modified; please apply your changes to the latest version and try again',
      '422 leases.coordination.k8s.io "kube-scheduler" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update',
    ]);
  });

  it('a Node update without resourceVersion is unconditional; a PUT of a missing Lease creates it; a missing Node is 404', () => {
    const plane = newPlane();
    const log: string[] = [];
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' }, spec: {}, status: { conditions: [] } };
    startClient(plane.clientHost, 'c', API_ADDRESSES[2]!, (client, ctx) => {
      ctx.setTimer(2_000_000, () => {
        client.create(NODES, null, node, {}, (r) => {
          ok(r);
          log.push(`key ${plane.etcd.store.get('/registry/minions/worker-1') !== undefined}`);
          client.update(NODES, { ...node, spec: { unschedulable: true } }, {}, (u) => {
            log.push(u.ok ? `node updated ${u.object.spec.unschedulable}` : u.error.message);
            client.update(LEASES, lease('fresh', 'x'), {}, (l) => {
              log.push(l.ok ? `lease created ${l.code}` : l.error.message);
              client.get(NODES, null, 'nope', {}, (g) => log.push(g.ok ? 'found?' : g.error.message));
            });
          });
        });
      });
    });
    plane.sim.runUntil(3_000_000);
    expect(log).toEqual(['key true', 'node updated true', 'lease created 201', 'nodes "nope" not found']);
  });

  it('binding a pod sets nodeName and PodScheduled; binding it again is the real 409', () => {
    const plane = newPlane();
    const log: string[] = [];
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    startClient(plane.clientHost, 'c', API_ADDRESSES[0]!, (client, ctx) => {
      ctx.setTimer(2_000_000, () => {
        client.create(PODS, 'default', pod, {}, (r) => {
          const created = ok(r);
          log.push(`${created.spec.schedulerName} ${created.status?.phase}`);
          client.bind('default', 'web-0', 'worker-1', {}, (b) => {
            log.push(b.ok ? `bound ${b.code}` : b.error.message);
            client.bind('default', 'web-0', 'worker-2', {}, (b2) => {
              log.push(b2.ok ? 'bound twice' : `${b2.error.kind === 'status' ? b2.error.code : 0} ${b2.error.message}`);
              client.get(PODS, 'default', 'web-0', {}, (g) => {
                const p = ok(g);
                log.push(`${p.spec.nodeName} ${p.status?.conditions?.map((c) => `${c.type}=${c.status}`).join(',')}`);
              });
            });
          });
        });
      });
    });
    plane.sim.runUntil(3_000_000);
    expect(log).toEqual([
      'default-scheduler Pending',
      'bound 201',
      '409 Operation cannot be fulfilled on pods/binding "web-0": pod web-0 is already assigned to node "worker-1"',
      'worker-1 PodScheduled=True',
    ]);
  });

  it('an update carrying the UID of a deleted-and-recreated object fails its precondition', () => {
    const plane = newPlane();
    const log: string[] = [];
    startClient(plane.clientHost, 'c', API_ADDRESSES[0]!, (client, ctx) => {
      ctx.setTimer(2_000_000, () => {
        client.create(LEASES, 'kube-system', lease('l', 'a'), {}, (r) => {
          const old = ok(r);
          client.delete(LEASES, 'kube-system', 'l', {}, (d) => {
            ok(d);
            client.create(LEASES, 'kube-system', lease('l', 'b'), {}, (r2) => {
              const fresh = ok(r2);
              const stale: Lease = { ...old, metadata: { ...old.metadata, resourceVersion: fresh.metadata.resourceVersion } };
              client.update(LEASES, stale, {}, (u) => log.push(u.ok ? 'applied' : u.error.message.replace(old.metadata.uid!, '<old>').replace(fresh.metadata.uid!, '<new>')));
            });
          });
        });
      });
    });
    plane.sim.runUntil(3_000_000);
    expect(log).toEqual(['Operation cannot be fulfilled on leases.coordination.k8s.io "l": Precondition failed: UID in precondition: <old>, UID in object meta: <new>']);
  });

  it('two concurrent unconditional Node updates both apply: the Txn that lost is re-run on the current object', () => {
    const plane = newPlane({ latencyUs: 250 });
    const log: string[] = [];
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: {}, status: { conditions: [] } };
    const clients: Array<import('../../src/client/rest-client').RestClient> = [];
    for (let i = 0; i < 2; i++) startClient(plane.clientHost, `c${i}`, API_ADDRESSES[i]!, (c) => clients.push(c));
    plane.sim.engine.schedule(2_000_000, () =>
      clients[0]!.create(NODES, null, node, {}, () => {
        clients[0]!.update(NODES, { ...node, metadata: { name: 'n', labels: { a: '1' } } }, {}, (r) => log.push(r.ok ? `a ${r.code}` : r.error.message));
        clients[1]!.update(NODES, { ...node, metadata: { name: 'n', labels: { b: '1' } } }, {}, (r) => log.push(r.ok ? `b ${r.code}` : r.error.message));
      }),
    );
    plane.sim.runUntil(3_000_000);
    expect(log.sort()).toEqual(['a 200', 'b 200']);
    expect(plane.etcd.store.get('/registry/minions/n')!.version).toBe(3);
  });
});
