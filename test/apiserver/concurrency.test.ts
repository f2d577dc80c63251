// Optimistic concurrency end to end (client -> apiserver -> real etcd members): two clients update one Lease from
// the same resourceVersion through different apiservers; exactly one update is applied and the other client gets
// the exact 409 text — also when the etcd leader dies in the middle of the updates.
import { describe, expect, it } from 'vitest';
import { newPlane, startClient, API_ADDRESSES, type Plane } from './harness';
import { LEASES, type Lease } from '../../src/apiserver/objects';
import type { ApiResult } from '../../src/client/errors';
import type { RestClient } from '../../src/client/rest-client';

const CONFLICT =
  'Operation cannot be fulfilled on leases.coordination.k8s.io "kube-scheduler": the object has been modified; please apply your changes to the latest version and try again';

interface Outcome {
  readonly results: Array<{ holder: string; result: string }>;
  readonly storedHolder: string | null;
  /** Versions of the key in etcd after the creation (1 = created only). */
  readonly version: number;
}

function race(seed: number, duringUpdate: ((plane: Plane) => void) | null): Outcome {
  const plane = newPlane({ seed, realEtcd: true, latencyUs: 250 });
  const clients: RestClient[] = [];
  const results: Array<{ holder: string; result: string }> = [];
  for (let i = 0; i < 2; i++) {
    startClient(plane.clientHost, `c${i}`, API_ADDRESSES[i]!, (client) => clients.push(client), { qps: -1, timeoutUs: 5_000_000 });
  }
  const base: Lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
    spec: { holderIdentity: 'nobody', leaseDurationSeconds: 15 },
  };
  plane.sim.engine.schedule(5_000_000, () => {
    clients[0]!.create(LEASES, 'kube-system', base, {}, (r) => {
      if (!r.ok) throw new Error(r.error.message);
      const rv = r.object.metadata.resourceVersion;
      // Both update from the same resourceVersion at the same instant.
      plane.sim.engine.schedule(1_000_000, () => {
        clients.forEach((client, i) => {
          const holder = `c${i}`;
          const update: Lease = { ...r.object, metadata: { ...r.object.metadata, resourceVersion: rv }, spec: { ...r.object.spec, holderIdentity: holder } };
          client.update(LEASES, update, {}, (u: ApiResult<Lease>) => results.push({ holder, result: u.ok ? `ok ${u.code}` : u.error.message }));
        });
        // The crash lands at a different phase of the updates for each seed (read, Txn in flight, replies).
        if (duringUpdate !== null) plane.sim.engine.schedule(200 + (seed % 10) * 500, () => duringUpdate(plane));
      });
    });
  });
  plane.sim.runUntil(25_000_000);
  // The stored value on any member that applied everything.
  let storedHolder: string | null = null;
  let version = 0;
  for (const name of ['etcd-0', 'etcd-1', 'etcd-2']) {
    const kv = plane.observer!.member(name).store()?.get('/registry/leases/kube-system/kube-scheduler');
    if (kv !== undefined && kv.version >= version) {
      version = kv.version;
      storedHolder = (JSON.parse(kv.value) as Lease).spec.holderIdentity ?? null;
    }
  }
  return { results, storedHolder, version };
}

describe('optimistic concurrency', () => {
  it('two clients update one Lease from the same resourceVersion: exactly one wins, the other gets the exact 409', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { results, storedHolder, version } = race(seed, null);
      expect(results).toHaveLength(2);
      const winners = results.filter((r) => r.result === 'ok 200');
      const losers = results.filter((r) => r.result !== 'ok 200');
      expect(winners).toHaveLength(1);
      expect(losers.map((l) => l.result)).toEqual([CONFLICT]);
      expect(storedHolder).toBe(winners[0]!.holder);
      expect(version).toBe(2);
    }
  });

  it('with the etcd leader crashing mid-update, at most one update is applied and no client is told a lost update won', () => {
    let sawConflictDespiteCrash = false;
    let sawAmbiguousFailure = false;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const { results, storedHolder, version } = race(seed, (plane) => {
        const leader = plane.observer!.leader();
        if (leader === null) throw new Error('no etcd leader to crash');
        plane.sim.host(leader.server!.ctx.host.name).process('etcd').crash();
      });
      expect(results).toHaveLength(2);
      expect(version).toBeLessThanOrEqual(2);
      const winners = results.filter((r) => r.result === 'ok 200');
      expect(winners.length).toBeLessThanOrEqual(1);
      if (winners.length === 1) expect(storedHolder).toBe(winners[0]!.holder);
      if (version === 1) expect(winners).toHaveLength(0);
      for (const r of results) {
        if (r.result === 'ok 200') continue;
        // A conflict, or an etcd failure surfaced by the apiserver (500 with etcd's text), or the client's deadline.
        expect(r.result).toMatch(/^(Operation cannot be fulfilled on .*|etcdserver: .*|rpc error: code = Unavailable desc = .*|Timeout: .*|Put "https:\/\/10\.0\.0\.2\d:6443\/.*": context deadline exceeded)$/);
        if (r.result === CONFLICT && winners.length === 1) sawConflictDespiteCrash = true;
        // A write the client saw fail although etcd applied it: the apiserver lost the Txn's response.
        if (r.result.startsWith('rpc error') && storedHolder === r.holder) sawAmbiguousFailure = true;
      }
    }
    expect(sawConflictDespiteCrash).toBe(true);
    expect(sawAmbiguousFailure).toBe(true);
  });
});
