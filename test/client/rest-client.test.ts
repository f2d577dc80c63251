// client-go request semantics: error texts per failure, GET retries (1 s apart, max 10) on EOF/reset, writes never
// retried, the wrapped "error from a previous attempt", deadline during a dial, Retry-After, the token bucket.
import { describe, expect, it } from 'vitest';
import { newPlane, startClient, API_ADDRESSES, type Plane } from '../apiserver/harness';
import { serveRpc } from '../../src/sim/rpc';
import { LEASES, type Lease } from '../../src/apiserver/objects';
import type { HttpResponse } from '../../src/apiserver/http';
import { serverTimeout } from '../../src/apiserver/status';
import type { ApiResult, RawResult } from '../../src/client/rest-client';

const lease: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'kube-system' }, spec: {} };

/** A host at 10.0.0.99 whose "apiserver" misbehaves as told. */
function rogue(plane: Plane, behave: (n: number, reply: (r: HttpResponse) => void, closeConnection: () => void) => void): { requests: number[] } {
  const host = plane.sim.addHost('rogue', { address: '10.0.0.99' });
  const seen: number[] = [];
  host.addProcess({
    name: 'rogue',
    create(ctx) {
      serveRpc(ctx, 6443, (request, respond) => {
        seen.push(plane.sim.engine.nowUs);
        behave(seen.length, (r) => respond.reply(r), () => request.socket.close());
      });
      return {};
    },
  });
  return { requests: seen };
}

function msg(r: ApiResult<unknown> | RawResult): string {
  return r.ok ? `ok ${r.code}` : r.error.message;
}

describe('RestClient', () => {
  it('a GET is retried after EOF, 1 s apart, and succeeds; a PUT is not retried', () => {
    const plane = newPlane({ latencyUs: 250 });
    const server = rogue(plane, (n, reply, close) => (n <= 2 || n === 4 ? close() : reply({ code: 200, kind: 'text', text: 'ok' })));
    const out: string[] = [];
    startClient(plane.clientHost, 'c', '10.0.0.99', (client, ctx) => {
      ctx.setTimer(1_000_000, () =>
        client.getRaw('/healthz', null, {}, (r) => {
          out.push(msg(r));
          client.update(LEASES, lease, {}, (u) => out.push(msg(u)));
        }),
      );
    }, { qps: -1, timeoutUs: 5_000_000 });
    plane.sim.runUntil(10_000_000);
    expect(out).toEqual(['ok 200', 'Put "https://10.0.0.99:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l?timeout=5s": unexpected EOF']);
    // Attempts 1 s apart (plus the round trip), then the PUT.
    expect(server.requests[1]! - server.requests[0]!).toBeGreaterThanOrEqual(1_000_000);
    expect(server.requests[1]! - server.requests[0]!).toBeLessThan(1_010_000);
    expect(server.requests).toHaveLength(4);
  });

  it('the deadline cutting a retry wait reports the previous attempt; a dial that outlasts the deadline is an i/o timeout', () => {
    const plane = newPlane({ latencyUs: 250 });
    rogue(plane, (_n, _reply, close) => close());
    const out: string[] = [];
    startClient(plane.clientHost, 'c', '10.0.0.99', (client, ctx) => {
      ctx.setTimer(1_000_000, () => client.getRaw('/healthz', null, { timeoutUs: 2_500_000 }, (r) => out.push(msg(r))));
    }, { qps: -1 });
    // A host that is down: the SYN goes unanswered.
    plane.sim.addHost('dead', { address: '10.0.0.98' }).crash();
    startClient(plane.clientHost, 'd', '10.0.0.98', (client, ctx) => {
      ctx.setTimer(1_000_000, () => client.get(LEASES, 'kube-system', 'l', {}, (r) => out.push(msg(r))));
    }, { qps: -1, timeoutUs: 5_000_000 });
    plane.sim.runUntil(10_000_000);
    expect(out).toEqual([
      'context deadline exceeded - error from a previous attempt: EOF',
      'Get "https://10.0.0.98:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l?timeout=5s": dial tcp 10.0.0.98:6443: i/o timeout',
    ]);
  });

  it('connection refused is not retried; a reset mid-request reads as Go prints it', () => {
    const plane = newPlane({ latencyUs: 250 });
    const out: string[] = [];
    startClient(plane.clientHost, 'c', API_ADDRESSES[0]!, (client, ctx) => {
      ctx.setTimer(3_000_000, () => client.get(LEASES, 'kube-system', 'l', {}, (r) => out.push(msg(r))));
    }, { qps: -1 });
    plane.sim.engine.schedule(2_000_000, () => plane.apiHosts[0]!.process('kube-apiserver').crash());
    plane.sim.runUntil(5_000_000);
    expect(out).toEqual(['Get "https://10.0.0.21:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l": dial tcp 10.0.0.21:6443: connect: connection refused']);
  });

  it('a 500 with Retry-After (ServerTimeout) is retried after its delay for GETs', () => {
    const plane = newPlane({ latencyUs: 250 });
    const server = rogue(plane, (n, reply) => (n === 1 ? reply({ code: 500, kind: 'object', body: serverTimeout(LEASES, 'get', 2) }) : reply({ code: 200, kind: 'object', body: lease })));
    const out: string[] = [];
    startClient(plane.clientHost, 'c', '10.0.0.99', (client, ctx) => {
      ctx.setTimer(1_000_000, () => client.get(LEASES, 'kube-system', 'l', {}, (r) => out.push(msg(r))));
    }, { qps: -1 });
    plane.sim.runUntil(10_000_000);
    expect(out).toEqual(['ok 200']);
    expect(server.requests[1]! - server.requests[0]!).toBeGreaterThanOrEqual(2_000_000);
  });

  it('the token bucket: burst then qps; a wait past the deadline is refused at once', () => {
    const plane = newPlane({ latencyUs: 250 });
    const starts: number[] = [];
    const out: string[] = [];
    startClient(plane.clientHost, 'c', API_ADDRESSES[0]!, (client, ctx) => {
      ctx.setTimer(3_000_000, () => {
        for (let i = 0; i < 4; i++) client.get(LEASES, 'kube-system', 'l', {}, () => starts.push(plane.sim.engine.nowUs));
        client.get(LEASES, 'kube-system', 'l', { timeoutUs: 100_000 }, (r) => out.push(msg(r)));
      });
    }, { qps: 2, burst: 2 });
    plane.sim.runUntil(6_000_000);
    expect(out).toEqual(['Get "https://10.0.0.21:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l": client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline']);
    starts.sort((a, b) => a - b);
    // Two at once (burst 2), then one every 500 ms.
    expect(starts[1]! - 3_000_000).toBeLessThan(10_000);
    expect(starts[2]! - 3_000_000).toBeGreaterThanOrEqual(500_000);
    expect(starts[3]! - 3_000_000).toBeGreaterThanOrEqual(1_000_000);
  });

  it('the first request of a fresh connection dying with the apiserver reads "unexpected EOF" (the handshake was done)', () => {
    const plane = newPlane({ latencyUs: 250 });
    plane.etcd.processingUs = 5_000;
    const out: string[] = [];
    startClient(plane.clientHost, 'c', API_ADDRESSES[0]!, (client, ctx) => {
      ctx.setTimer(3_000_000, () => client.create(LEASES, 'kube-system', lease, {}, (r) => out.push(msg(r))));
    }, { qps: -1 });
    plane.sim.engine.schedule(3_002_000, () => plane.apiHosts[0]!.process('kube-apiserver').crash());
    plane.sim.runUntil(5_000_000);
    expect(out).toEqual(['Post "https://10.0.0.21:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases": unexpected EOF']);
  });
});
