// The kube-apiserver process: request deadlines and their 504 texts, etcd errors surfaced as 500, graceful shutdown
// (readyz first, then the listener, GOAWAY, exit), watches, flag validation, the etcd health probe's rate limit.
import { describe, expect, it } from 'vitest';
import { newPlane, startClient, API_ADDRESSES } from './harness';
import { MemorySink } from '../../src/sim/trace';
import { LEASES, PODS, type Lease, type Pod, type WatchEvent } from '../../src/apiserver/objects';
import { apiserverProcessSpec } from '../../src/apiserver/server';
import { ApiserverConfigError } from '../../src/apiserver/config';
import type { ApiResult } from '../../src/client/errors';

const lease = (name: string): Lease => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-system' }, spec: { holderIdentity: 'x' } });

function describeResult(r: ApiResult<unknown>): string {
  return r.ok ? `ok ${r.code}` : r.error.kind === 'status' ? `${r.error.code} ${r.error.status.reason ?? ''}: ${r.error.message}` : r.error.message;
}

describe('kube-apiserver', () => {
  it('maps etcd failures and deadlines to the real statuses: 500 etcd text, 504 for reads and writes', () => {
    const plane = newPlane({ latencyUs: 250, apiserver: { requestTimeoutUs: 10_000_000 } });
    const out: string[] = [];
    startClient(plane.clientHost, 'c', API_ADDRESSES[0]!, (client, ctx) => {
      ctx.setTimer(3_000_000, () => {
        plane.etcd.setLeader(false);
        // A write: etcd answers "request timed out" after 7 s, before the 10 s request deadline.
        client.create(LEASES, 'kube-system', lease('a'), {}, (r) => out.push(`create ${describeResult(r)}`));
        // A read: clientv3 retries the read until the 10 s request deadline; the timeout filter answers 504.
        client.get(LEASES, 'kube-system', 'a', {}, (r) => out.push(`get ${describeResult(r)}`));
      });
    }, { qps: -1 });
    // A client-side ?timeout=2s: the write's context ends first (the finisher's 504), though the client has gone.
    startClient(plane.clientHost, 'd', API_ADDRESSES[1]!, (client, ctx) => {
      ctx.setTimer(3_000_000, () => client.create(LEASES, 'kube-system', lease('b'), { timeoutUs: 3_000_000 }, (r) => out.push(`create-ctx ${describeResult(r)}`)));
    }, { qps: -1, timeoutUs: 2_000_000 });
    plane.sim.runUntil(20_000_000);
    expect(out).toEqual([
      'create-ctx Post "https://10.0.0.22:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?timeout=2s": context deadline exceeded',
      'create 500 : etcdserver: request timed out',
      'get 504 Timeout: Timeout: request did not complete within the allotted timeout',
    ]);
  });

  it('a write waiting on etcd past 34 s gets the finisher\'s 504', () => {
    const plane = newPlane({ latencyUs: 250 });
    plane.etcd.requestTimeoutUs = 100_000_000;
    const out: string[] = [];
    startClient(plane.clientHost, 'c', API_ADDRESSES[0]!, (client, ctx) => {
      ctx.setTimer(3_000_000, () => {
        plane.etcd.setLeader(false);
        client.create(LEASES, 'kube-system', lease('a'), {}, (r) => out.push(`${describeResult(r)} @${Math.round((plane.sim.engine.nowUs - 3_000_000) / 1e6)}s`));
      });
    }, { qps: -1 });
    plane.sim.runUntil(60_000_000);
    expect(out).toEqual(['504 Timeout: Timeout: request did not complete within requested timeout - context deadline exceeded @34s']);
  });

  it('graceful shutdown: readyz fails at once, requests are served for --shutdown-delay-duration, then GOAWAY, refused, exit 0', () => {
    const plane = newPlane({ latencyUs: 250, apiserver: { shutdownDelayDurationUs: 10_000_000 } });
    const sink = new MemorySink(['apiserver.lifecycle', 'apiserver.goaway', 'proc.state']);
    plane.sim.engine.trace.addSink(sink);
    const out: string[] = [];
    startClient(plane.clientHost, 'c', API_ADDRESSES[0]!, (client, ctx) => {
      const poll = (): void => {
        const t = Math.round(plane.sim.engine.nowUs / 1e6);
        client.getRaw('/readyz', null, { timeoutUs: 1_000_000 }, (r) => {
          client.get(LEASES, 'kube-system', 'x', { timeoutUs: 1_000_000 }, (g) => {
            out.push(`${t} readyz:${r.ok ? 'ok' : r.error.kind === 'status' ? r.error.code : 'conn'} get:${g.ok ? 'ok' : g.error.kind === 'status' ? g.error.code : g.error.inner}`);
            ctx.setTimer(2_000_000, poll);
          });
        });
      };
      ctx.setTimer(4_000_000, poll);
    }, { qps: -1 });
    plane.sim.engine.schedule(5_000_000, () => plane.apiHosts[0]!.process('kube-apiserver').stop(60_000_000));
    plane.sim.runUntil(22_000_000);
    expect(out.slice(0, 8)).toEqual([
      '4 readyz:ok get:404',
      '6 readyz:500 get:404',
      '8 readyz:500 get:404',
      '10 readyz:500 get:404',
      '12 readyz:500 get:404',
      '14 readyz:500 get:404',
      '16 readyz:conn get:dial tcp 10.0.0.21:6443: connect: connection refused',
      '18 readyz:conn get:dial tcp 10.0.0.21:6443: connect: connection refused',
    ]);
    const phases = sink.ofKind('apiserver.lifecycle').filter((e) => e.host === 'cp-0' && e.tUs > 2_000_000).map((e) => `${e.tUs} ${e.phase}`);
    expect(phases[0]).toBe('5000000 shutdown-initiated');
    expect(phases[1]).toBe('15000000 listener-closed');
    expect(phases[2]).toMatch(/^150\d{5} drained$/);
    expect(sink.ofKind('apiserver.goaway').filter((e) => e.reason === 'shutdown')).toHaveLength(1);
    const exit = sink.ofKind('proc.state').find((e) => e.host === 'cp-0' && e.proc === 'kube-apiserver' && e.state === 'exited');
    expect(exit?.detail).toBe('exit 0: terminated');
  });

  it('watch: synthetic ADDED from "" , then changes; a field selector turns a pod leaving it into DELETED', () => {
    const plane = newPlane({ latencyUs: 250 });
    const events: string[] = [];
    const nodeEvents: string[] = [];
    const pod = (name: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    startClient(plane.clientHost, 'c', API_ADDRESSES[0]!, (client, ctx) => {
      ctx.setTimer(2_000_000, () => {
        client.create(PODS, 'default', pod('a'), {}, () => {
          client.watch(PODS, 'default', {}, (e: WatchEvent<Pod>) => events.push(`${e.type} ${(e.object as Pod).metadata.name} ${(e.object as Pod).spec.nodeName ?? '-'}`), () => events.push('end'));
          client.watch(PODS, null, { fieldSelector: 'spec.nodeName=w1' }, (e: WatchEvent<Pod>) => nodeEvents.push(`${e.type} ${(e.object as Pod).metadata.name}`), () => nodeEvents.push('end'));
          ctx.setTimer(100_000, () =>
            client.create(PODS, 'default', pod('b'), {}, () =>
              client.bind('default', 'b', 'w1', {}, () => client.delete(PODS, 'default', 'b', {}, () => undefined)),
            ),
          );
        });
      });
    }, { qps: -1 });
    plane.sim.runUntil(4_000_000);
    expect(events).toEqual(['ADDED a -', 'ADDED b -', 'MODIFIED b w1', 'DELETED b w1']);
    expect(nodeEvents).toEqual(['ADDED b', 'DELETED b']);
  });

  it('the etcd health probe is rate limited to one per timeout/2; limited requests get the last result', () => {
    const plane = newPlane({ latencyUs: 250 });
    startClient(plane.clientHost, 'c', API_ADDRESSES[0]!, (client, ctx) => {
      const poll = (): void => {
        client.getRaw('/healthz', null, {}, () => ctx.setTimer(100_000, poll));
      };
      ctx.setTimer(3_000_000, poll);
    }, { qps: -1 });
    plane.sim.runUntil(13_000_000);
    // ~10 s of polling every ~100 ms: about one probe per second, not one per request.
    const probes = plane.etcd.counts.get('Range')!;
    expect(probes).toBeGreaterThanOrEqual(10);
    expect(probes).toBeLessThan(20);
  });

  it('rejects bad flags with the real messages', () => {
    expect(() => apiserverProcessSpec({ etcdServers: ['x'], goawayChance: 0.05 })).toThrow(new ApiserverConfigError('--goaway-chance can not be less than 0 or greater than 0.02'));
    expect(() => apiserverProcessSpec({ etcdServers: [] })).toThrow(new ApiserverConfigError('--etcd-servers must be specified'));
  });
});
