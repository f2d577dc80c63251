import { describe, expect, it } from 'vitest';
import { harness } from '../controllers/harness';
import { parseTimeUs, type Lease, type Node } from '../../src/apiserver/objects';

const S = 1_000_000;

describe('kubelet node heartbeats', () => {
  it('registers its Node and creates kube-node-lease/<node> (holder the node, 40 s, owned by the Node)', () => {
    const h = harness({ seed: 1, controlPlane: 0, workers: 1 });
    h.sim.runUntil(5 * S);
    const node = h.api.objects.get('nodes//worker-0') as Node;
    expect(node.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    const lease = h.api.objects.get('leases/kube-node-lease/worker-0') as Lease;
    expect(lease.spec).toMatchObject({ holderIdentity: 'worker-0', leaseDurationSeconds: 40 });
    expect(lease.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'worker-0', uid: node.metadata.uid }]);
  });

  it('renews the lease every 10 s (+ up to 4% jitter) with optimistic updates (no GET), and leaves the Node status alone while unchanged', () => {
    const h = harness({ seed: 2, controlPlane: 0, workers: 1 });
    const renewals: number[] = [];
    let last = '';
    for (let t = 1; t <= 120; t++) {
      h.sim.runUntil(t * 100_000 * 10);
      const lease = h.api.objects.get('leases/kube-node-lease/worker-0') as Lease | undefined;
      const r = lease?.spec.renewTime;
      if (r !== undefined && r !== last) {
        renewals.push(parseTimeUs(r));
        last = r;
      }
    }
    const gaps = renewals.slice(1).map((r, i) => r - renewals[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(10);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(10 * S);
      expect(g).toBeLessThan(10.4 * S + 10_000);
    }
    expect(h.api.requests.get('GET leases')).toBe(1); // ensureLease once, at the start
    expect(h.api.requests.get('PUT nodes/status') ?? 0).toBe(0);
  });

  it('after a 409 it re-reads the lease and updates it again', () => {
    const h = harness({ seed: 3, controlPlane: 0, workers: 1 });
    h.sim.runUntil(15 * S);
    // Someone else writes the lease: the kubelet's cached resourceVersion is stale.
    const lease = h.api.objects.get('leases/kube-node-lease/worker-0') as Lease;
    lease.metadata.resourceVersion = String(++h.api.revision);
    const getsBefore = h.api.requests.get('GET leases') ?? 0;
    h.sim.runUntil(30 * S);
    expect(h.api.requests.get('GET leases')).toBe(getsBefore + 1);
    const renewed = h.api.objects.get('leases/kube-node-lease/worker-0') as Lease;
    expect(parseTimeUs(renewed.spec.renewTime!)).toBeGreaterThan(Date.UTC(2025, 0, 1) * 1000 + 20 * S);
  });

  it('posts Ready=True again when the node controller had marked it Unknown', () => {
    const h = harness({ seed: 4, controlPlane: 0, workers: 1 });
    h.sim.runUntil(15 * S);
    const node = h.api.objects.get('nodes//worker-0') as Node;
    const ready = node.status!.conditions!.find((c) => c.type === 'Ready')!;
    ready.status = 'Unknown';
    ready.reason = 'NodeStatusUnknown';
    ready.message = 'Kubelet stopped posting node status.';
    node.metadata.resourceVersion = String(++h.api.revision);
    h.sim.runUntil(30 * S);
    const after = (h.api.objects.get('nodes//worker-0') as Node).status!.conditions!.find((c) => c.type === 'Ready')!;
    expect(after).toMatchObject({ status: 'True', reason: 'KubeletReady' });
  });
});
