// HAProxy in front of the apiservers: check timing (inter/fall/rise), the real log lines, what clients see while
// a dead server is still in rotation, quorum loss, session handling.
import { describe, expect, it } from 'vitest';
import { newPlane, startClient, LB_ADDRESS, API_ADDRESSES } from '../apiserver/harness';
import { MemorySink } from '../../src/sim/trace';
import { LEASES, type Lease } from '../../src/apiserver/objects';
import { RestClient, RestTransport, type ApiResult, type RawResult } from '../../src/client/rest-client';

const TCP_CFG = `
defaults
    mode tcp
    timeout connect 5s
    timeout client 35s
    timeout server 35s
frontend apiserver
    bind *:6443
    default_backend apiserver
backend apiserver
    balance roundrobin
    server cp-0 cp-0:6443 check inter 2s fall 3 rise 2
    server cp-1 cp-1:6443 check inter 2s fall 3 rise 2
    server cp-2 cp-2:6443 check inter 2s fall 3 rise 2
`;

function lease(name: string, holder: string, rv?: string): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-system', ...(rv !== undefined ? { resourceVersion: rv } : {}) },
    spec: { holderIdentity: holder, leaseDurationSeconds: 15 },
  };
}

function describeResult(r: ApiResult<unknown> | RawResult): string {
  return r.ok ? `ok ${r.code}` : r.error.message;
}

describe('haproxy', () => {
  it('with inter 2s fall 3, a crashed apiserver leaves the rotation after 3 failed checks; meanwhile clients see EOF', () => {
    const plane = newPlane({ lb: TCP_CFG, latencyUs: 250 });
    const sink = new MemorySink(['lb.server', 'lb.check', 'lb.session', 'client.error']);
    plane.sim.engine.trace.addSink(sink);
    const seen: string[] = [];
    // Three long-lived clients connect at 6 s, one per server (round robin in order).
    const clients = [0, 1, 2].map((k) =>
      startClient(plane.clientHost, `c${k}`, LB_ADDRESS, (client, ctx) => {
        ctx.setTimer(6_000_000 + k * 10_000, () => client.create(LEASES, 'kube-system', lease(`l${k}`, `c${k}`), {}, (r) => seen.push(`c${k} create ${describeResult(r)}`)));
      }, { qps: -1, timeoutUs: 5_000_000 }),
    );
    // c0 writes just before the crash: the PUT is in flight at cp-0 when the process dies.
    plane.sim.engine.schedule(9_999_000, () =>
      clients[0]!.client!.update(LEASES, lease('l0', 'c0-again'), {}, (r) => seen.push(`c0 update ${describeResult(r)}`)),
    );
    plane.sim.engine.schedule(10_000_000, () => plane.apiHosts[0]!.process('kube-apiserver').crash());
    // A new client at 11 s is routed to cp-0 (next in rotation, still UP): HAProxy retries 3 times, then gives up.
    startClient(plane.clientHost, 'late', LB_ADDRESS, (client, ctx) => {
      ctx.setTimer(11_000_000, () => client.create(LEASES, 'kube-system', lease('late', 'late'), {}, (r) => seen.push(`late create ${describeResult(r)} @${plane.sim.engine.nowUs}`)));
    }, { qps: -1, timeoutUs: 5_000_000 });
    // After the DOWN, new connections avoid cp-0.
    startClient(plane.clientHost, 'after', LB_ADDRESS, (client, ctx) => {
      ctx.setTimer(16_000_000, () => client.create(LEASES, 'kube-system', lease('after', 'after'), {}, (r) => seen.push(`after create ${describeResult(r)}`)));
    }, { qps: -1, timeoutUs: 5_000_000 });
    plane.sim.runUntil(20_000_000);

    const routed = sink.ofKind('lb.session').filter((e) => e.event === 'routed' && e.tUs < 7_000_000).map((e) => e.server);
    expect(routed).toEqual(['cp-0', 'cp-1', 'cp-2']);
    const checks = sink.ofKind('lb.check').filter((e) => e.server === 'cp-0' && e.tUs >= 10_000_000 && e.tUs < 15_000_000);
    expect(checks.map((c) => `${c.status} ${c.health}`)).toEqual(['L4CON 2/3 UP', 'L4CON 1/3 UP', 'L4CON 0/2 DOWN']);
    // Checks every inter (2 s) after the previous one finished.
    expect(checks[1]!.tUs - checks[0]!.tUs).toBeGreaterThanOrEqual(2_000_000);
    expect(checks[1]!.tUs - checks[0]!.tUs).toBeLessThan(2_010_000);
    const down = sink.ofKind('lb.server').filter((e) => e.state === 'DOWN');
    expect(down).toHaveLength(1);
    expect(down[0]!.tUs).toBe(checks[2]!.tUs);
    expect(down[0]!.tUs).toBeGreaterThan(14_000_000);
    expect(down[0]!.tUs).toBeLessThan(16_000_000);
    expect(down[0]!.line).toBe(
      'Server apiserver/cp-0 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    );
    const url = 'https://10.0.0.100:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';
    expect(seen.filter((s) => s.startsWith('c'))).toEqual(['c0 create ok 201', 'c1 create ok 201', 'c2 create ok 201', `c0 update Put "${url}/l0?timeout=5s": unexpected EOF`]);
    const late = seen.find((s) => s.startsWith('late'))!;
    expect(late).toMatch(new RegExp(`^late create Post "${url.replace(/\./g, '\\.')}\\?timeout=5s": EOF @\\d+$`));
    // 1 attempt + 3 retries, 1 s turn-around each.
    const lateAt = Number(late.split('@')[1]);
    expect(lateAt).toBeGreaterThan(14_000_000);
    expect(lateAt).toBeLessThan(14_100_000);
    expect(sink.ofKind('lb.session').filter((e) => e.event === 'retry').length).toBe(3);
    // The failures as the clients saw them, in the trace for a timeline.
    expect(sink.ofKind('client.error').map((e) => `${e.proc} ${e.verb} ${e.code} ${e.message}`)).toEqual([
      `c0 PUT 0 Put "${url}/l0?timeout=5s": unexpected EOF`,
      `late POST 0 Post "${url}?timeout=5s": EOF`,
    ]);
    expect(seen).toContain('after create ok 201');
    expect(sink.ofKind('lb.session').find((e) => e.event === 'routed' && e.tUs >= 16_000_000)!.server).not.toBe('cp-0');
  });

  it('a crashed host times out its checks: "Layer4 timeout, check duration: 2000ms"', () => {
    const plane = newPlane({ lb: TCP_CFG, latencyUs: 250 });
    const sink = new MemorySink(['lb.server']);
    plane.sim.engine.trace.addSink(sink);
    plane.sim.engine.schedule(10_000_000, () => plane.apiHosts[1]!.crash());
    plane.sim.runUntil(30_000_000);
    const down = sink.ofKind('lb.server').filter((e) => e.state === 'DOWN');
    expect(down.map((e) => e.line)).toEqual([
      'Server apiserver/cp-1 is DOWN, reason: Layer4 timeout, check duration: 2000ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    ]);
    // Three checks of 2 s (the whole check is bounded by inter without `timeout check`) 2 s apart.
    expect(down[0]!.tUs).toBeGreaterThan(10_000_000 + 3 * 2_000_000 + 2 * 2_000_000);
    expect(down[0]!.tUs).toBeLessThan(10_000_000 + 3 * 2_000_000 + 3 * 2_000_000);
  });

  it('quorum loss: every /healthz fails within ~2 s with [-]etcd failed, the LB marks all DOWN, clients get EOF; all returns', () => {
    const plane = newPlane({ lb: true, realEtcd: true, latencyUs: 250 });
    const sink = new MemorySink(['lb.server', 'lb.backend']);
    plane.sim.engine.trace.addSink(sink);
    const lossUs = 20_000_000;
    const healUs = 50_000_000;
    // Direct /healthz polls on each apiserver every 250 ms (kubectl get --raw --server=...).
    const firstFailure: Array<{ atUs: number; text: string } | null> = [null, null, null];
    API_ADDRESSES.forEach((address, i) =>
      startClient(plane.clientHost, `probe${i}`, address, (client, ctx) => {
        const poll = (): void => {
          client.getRaw('/healthz', { verbose: true }, {}, (r) => {
            if (!r.ok && firstFailure[i] === null && plane.sim.engine.nowUs > lossUs) firstFailure[i] = { atUs: plane.sim.engine.nowUs, text: r.error.message };
            ctx.setTimer(250_000, poll);
          });
        };
        ctx.setTimer(lossUs - 1_000_000, poll);
      }),
    );
    // Through the LB, a fresh connection each time (as kubectl does), and a long-lived client pinned to its server.
    const viaLb: string[] = [];
    const pinned: string[] = [];
    startClient(plane.clientHost, 'vialb', LB_ADDRESS, (client, ctx) => {
      const poll = (): void => {
        const at = plane.sim.engine.nowUs;
        const fresh = new RestClient(new RestTransport(ctx, { server: { address: LB_ADDRESS } }), { qps: -1 });
        fresh.getRaw('/healthz', null, {}, (r) => {
          viaLb.push(`${Math.floor(at / 1_000_000)} ${r.ok ? `ok ${r.code}` : r.error.kind === 'transport' ? r.error.inner : `status ${r.error.code}`}`);
          fresh.transport.close();
          ctx.setTimer(5_000_000, poll);
        });
        client.getRaw('/healthz', null, {}, (r) => pinned.push(`${Math.floor(at / 1_000_000)} ${r.ok ? `ok ${r.code}` : r.error.kind === 'transport' ? r.error.inner : `status ${r.error.code}`}`));
      };
      ctx.setTimer(10_000_000, poll);
    });
    plane.sim.engine.schedule(lossUs, () => {
      plane.etcdHosts[0]!.process('etcd').crash();
      plane.etcdHosts[1]!.process('etcd').crash();
    });
    plane.sim.engine.schedule(healUs, () => {
      plane.etcdHosts[0]!.process('etcd').start();
      plane.etcdHosts[1]!.process('etcd').start();
    });
    plane.sim.runUntil(75_000_000);

    for (const f of firstFailure) {
      expect(f).not.toBeNull();
      expect(f!.atUs - lossUs).toBeLessThan(3_300_000);
      expect(f!.text).toContain('[-]etcd failed: reason withheld');
      expect(f!.text).toMatch(/^an error on the server \("\[\+\]ping ok\\n\[\+\]log ok\\n\[-\]etcd failed: reason withheld\\n.*healthz check failed"\) has prevented the request from succeeding$/);
    }
    const downs = sink.ofKind('lb.server').filter((e) => e.state === 'DOWN' && e.tUs > lossUs);
    expect(new Set(downs.map((e) => e.server))).toEqual(new Set(['cp-0', 'cp-1', 'cp-2']));
    for (const d of downs) expect(d.line).toMatch(/^Server apiserverbackend\/cp-\d is DOWN, reason: Layer7 wrong status, code: 500, info: "Internal Server Error", check duration: \d+ms\. \d active and 0 backup servers left\. \d sessions active, 0 requeued, 0 remaining in queue\.$/);
    const noServer = sink.ofKind('lb.backend').find((e) => !e.available && e.tUs > lossUs);
    expect(noServer?.line).toBe('backend apiserverbackend has no server available!');
    // New connections through the LB: fine before; once every server is DOWN the LB closes them (EOF after
    // client-go's 10 retries of the GET); fine after recovery.
    const lastDown = Math.max(...downs.map((d) => d.tUs));
    expect(viaLb[0]).toBe('10 ok 200');
    const duringOutage = viaLb.filter((l) => {
      const t = Number(l.split(' ')[0]) * 1_000_000;
      // A GET is retried 10 times, 1 s apart: polls that could outlast the outage are left out.
      return t > lastDown && t + 12_000_000 < healUs;
    });
    expect(duringOutage.length).toBeGreaterThan(0);
    for (const l of duringOutage) expect(l).toMatch(/^\d+ EOF$/);
    // The long-lived client keeps its session to a DOWN server and sees the 500s.
    expect(pinned.some((l) => l.endsWith('status 500'))).toBe(true);
    expect(pinned.some((l) => l.endsWith('EOF'))).toBe(false);
    const ups = sink.ofKind('lb.server').filter((e) => e.state === 'UP' && e.tUs > healUs);
    expect(new Set(ups.map((e) => e.server))).toEqual(new Set(['cp-0', 'cp-1', 'cp-2']));
    expect(viaLb[viaLb.length - 1]).toMatch(/ ok 200$/);
    expect(pinned[pinned.length - 1]).toMatch(/ ok 200$/);
  });

  it('on-marked-down shutdown-sessions resets the sessions of a server marked DOWN; without it they stay', () => {
    for (const shutdown of [true, false]) {
      // An HTTP check: a frozen apiserver still completes TCP handshakes (the kernel does), but never answers.
      const cfg = TCP_CFG.replace(/check inter 2s fall 3 rise 2/g, `check inter 2s fall 3 rise 2${shutdown ? ' on-marked-down shutdown-sessions' : ''}`).replace(
        'balance roundrobin',
        'balance roundrobin\n    option httpchk GET /healthz',
      );
      const plane = newPlane({ lb: cfg, latencyUs: 250, apiserver: { etcdHealthcheckTimeoutUs: 2_000_000 } });
      const sink = new MemorySink(['lb.session', 'lb.server']);
      plane.sim.engine.trace.addSink(sink);
      // Freeze cp-0 (SIGSTOP): its checks time out (L7TOUT) and it is marked DOWN; the client's session on it stays
      // open unless on-marked-down shutdown-sessions resets it.
      const c = startClient(plane.clientHost, 'c', LB_ADDRESS, (client, ctx) => {
        ctx.setTimer(6_000_000, () => client.get(LEASES, 'kube-system', 'x', {}, () => undefined));
      });
      plane.sim.engine.schedule(8_000_000, () => plane.apiHosts[0]!.process('kube-apiserver').pause());
      plane.sim.runUntil(30_000_000);
      const killed = sink.ofKind('lb.session').filter((e) => e.event === 'killed');
      expect(killed.length).toBe(shutdown ? 1 : 0);
      const line = sink.ofKind('lb.server').find((e) => e.state === 'DOWN' && e.tUs > 8_000_000)!.line;
      expect(line).toContain(shutdown ? '0 sessions active' : '1 sessions active');
      expect(c.transport!.connected).toBe(!shutdown);
    }
  });

  it('balance roundrobin honours weights (2:1:1) and skips DOWN servers', () => {
    const cfg = TCP_CFG.replace('server cp-0 cp-0:6443 check inter 2s fall 3 rise 2', 'server cp-0 cp-0:6443 check inter 2s fall 3 rise 2 weight 2');
    const plane = newPlane({ lb: cfg, latencyUs: 250 });
    const sink = new MemorySink(['lb.session']);
    plane.sim.engine.trace.addSink(sink);
    for (let k = 0; k < 8; k++) {
      startClient(plane.clientHost, `c${k}`, LB_ADDRESS, (client, ctx) => {
        ctx.setTimer(6_000_000 + k * 1000, () => client.get(LEASES, 'kube-system', 'x', {}, () => undefined));
      });
    }
    plane.sim.runUntil(8_000_000);
    const routed = sink.ofKind('lb.session').filter((e) => e.event === 'routed').map((e) => e.server);
    expect(routed).toEqual(['cp-0', 'cp-1', 'cp-2', 'cp-0', 'cp-0', 'cp-1', 'cp-2', 'cp-0']);
  });

  it('fastinter paces the checks of a server going down, downinter those of a server that is down', () => {
    const cfg = TCP_CFG.replace('server cp-0 cp-0:6443 check inter 2s fall 3 rise 2', 'server cp-0 cp-0:6443 check inter 2s fastinter 500ms downinter 5s fall 3 rise 2');
    const plane = newPlane({ lb: cfg, latencyUs: 250 });
    const sink = new MemorySink(['lb.check', 'lb.server']);
    plane.sim.engine.trace.addSink(sink);
    plane.sim.engine.schedule(10_000_000, () => plane.apiHosts[0]!.process('kube-apiserver').crash());
    plane.sim.engine.schedule(30_000_000, () => plane.apiHosts[0]!.process('kube-apiserver').start());
    plane.sim.runUntil(45_000_000);
    const checks = sink.ofKind('lb.check').filter((e) => e.server === 'cp-0' && e.tUs > 10_000_000);
    const gaps = checks.slice(1).map((c, i) => Math.round((c.tUs - checks[i]!.tUs) / 100_000) / 10);
    const health = checks.map((c) => c.health);
    // First failure (from fully UP, after inter), then fastinter while going down, downinter once DOWN;
    // after the restart fastinter while coming up, inter once fully UP.
    expect(health.slice(0, 3)).toEqual(['2/3 UP', '1/3 UP', '0/2 DOWN']);
    expect(gaps.slice(0, 2)).toEqual([0.5, 0.5]);
    expect(gaps[2]).toBe(5);
    const upIndex = health.indexOf('3/3 UP');
    expect(health[upIndex - 1]).toBe('1/2 DOWN');
    expect(gaps[upIndex - 1]).toBe(0.5);
    expect(gaps[upIndex]).toBe(2);
    const up = sink.ofKind('lb.server').find((e) => e.state === 'UP' && e.tUs > 30_000_000)!;
    expect(up.line).toBe('Server apiserver/cp-0 is UP, reason: Layer4 check passed, check duration: 0ms. 3 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.');
  });
});
