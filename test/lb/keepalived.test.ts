// A redundant HAProxy pair with keepalived moving the VIP: takeover after Master_Down_Interval when the MASTER host
// dies, preemption when it returns, a failing track script (haproxy dead) lowering the priority, graceful handover.
import { describe, expect, it } from 'vitest';
import { newPlane, startClient, LB_ADDRESS } from '../apiserver/harness';
import { MemorySink } from '../../src/sim/trace';
import { keepalivedProcessSpec, KeepalivedConfigError } from '../../src/lb/keepalived';
import { haproxyProcessSpec } from '../../src/lb/haproxy';
import { kubeadmHaproxyCfg } from '../../src/lb/config';

function pair(track: { intervalSeconds: number; fall: number; rise: number; weight: number } = { intervalSeconds: 3, fall: 10, rise: 2, weight: -2 }) {
  const plane = newPlane({ latencyUs: 250 });
  const a = plane.sim.addHost('lb-a', { address: '10.0.0.101' });
  const b = plane.sim.addHost('lb-b', { address: '10.0.0.102' });
  const cfg = kubeadmHaproxyCfg(plane.apiHosts.map((h) => ({ name: h.name, address: h.name })));
  for (const [host, peer, state, priority] of [
    [a, b, 'MASTER', 101],
    [b, a, 'BACKUP', 100],
  ] as const) {
    host.addProcess(haproxyProcessSpec(cfg, plane.sim.network));
    host.addProcess(
      keepalivedProcessSpec(
        { state, priority, virtualIpAddress: LB_ADDRESS, unicastPeers: [peer.address], trackScript: { name: 'check_apiserver', process: 'haproxy', ...track } },
        plane.sim.network,
      ),
    );
  }
  return { plane, a, b };
}

describe('keepalived', () => {
  it('the BACKUP takes the VIP 3 x advert_int + skew after the MASTER host dies; the MASTER preempts when back', () => {
    const { plane, a, b } = pair();
    const sink = new MemorySink(['lb.vrrp']);
    plane.sim.engine.trace.addSink(sink);
    const seen: string[] = [];
    startClient(plane.clientHost, 'c', LB_ADDRESS, (client, ctx) => {
      const poll = (): void => {
        const at = plane.sim.engine.nowUs;
        client.getRaw('/healthz', null, { timeoutUs: 2_000_000 }, (r) => {
          seen.push(`${Math.floor(at / 1_000_000)} ${r.ok ? 'ok' : r.error.kind}`);
          ctx.setTimer(1_000_000, poll);
        });
      };
      ctx.setTimer(10_000_000, poll);
    });
    expect(plane.sim.network.resolve(LB_ADDRESS)).toBe(a);
    plane.sim.engine.schedule(20_000_000, () => a.crash());
    plane.sim.engine.schedule(40_000_000, () => a.boot());
    plane.sim.runUntil(50_000_000);
    const events = sink.ofKind('lb.vrrp').map((e) => `${e.tUs} ${e.lb} ${e.line}`);
    const skewUs = Math.round(((256 - 100) * 1_000_000) / 256);
    // Master_Down_Interval runs from the last advertisement heard, which arrived within advert_int before the crash.
    const takeover = sink.ofKind('lb.vrrp').find((e) => e.lb === 'lb-b' && e.state === 'MASTER')!;
    expect(takeover.line).toBe('(VI_1) Entering MASTER STATE');
    expect(takeover.tUs).toBeGreaterThan(20_000_000 - 1_000_000 + 3_000_000 + skewUs);
    expect(takeover.tUs).toBeLessThanOrEqual(20_000_000 + 3_000_000 + skewUs);
    expect(events.filter((e) => e.includes('lb-a') && e.includes('MASTER')).map((e) => Number(e.split(' ')[0]))).toEqual([40_000_000]);
    expect(events.some((e) => e.includes('lb-b (VI_1) Entering BACKUP STATE') && Number(e.split(' ')[0]) > 40_000_000)).toBe(true);
    expect(plane.sim.network.resolve(LB_ADDRESS)).toBe(a);
    // The client saw the outage (its connection went to a dead host) and recovered through lb-b.
    expect(seen.some((s) => s.endsWith('transport'))).toBe(true);
    expect(seen.filter((s) => Number(s.split(' ')[0]) > 26 && Number(s.split(' ')[0]) < 40).every((s) => s.endsWith('ok'))).toBe(true);
    void b;
  });

  it('a dead haproxy fails the track script after fall x interval; priority 101-2 < 100 hands the VIP over', () => {
    const { plane, a, b } = pair({ intervalSeconds: 1, fall: 3, rise: 2, weight: -2 });
    const sink = new MemorySink(['lb.vrrp', 'log']);
    plane.sim.engine.trace.addSink(sink);
    plane.sim.engine.schedule(10_000_000, () => a.process('haproxy').crash());
    plane.sim.runUntil(25_000_000);
    expect(plane.sim.network.resolve(LB_ADDRESS)).toBe(b);
    const logs = sink.ofKind('log').filter((e) => e.proc === 'keepalived').map((e) => `${e.host}: ${e.msg}`);
    expect(logs).toContain('lb-a: Script `check_apiserver` now returning 1');
    expect(logs).toContain('lb-a: (VI_1) Changing effective priority from 101 to 99');
    const takeover = sink.ofKind('lb.vrrp').find((e) => e.lb === 'lb-b' && e.state === 'MASTER')!;
    expect(takeover.tUs).toBeGreaterThan(12_000_000);
    expect(takeover.tUs).toBeLessThan(18_000_000);
  });

  it('a graceful stop of the MASTER hands over after Skew_Time (priority 0 advert)', () => {
    const { plane, a, b } = pair();
    const sink = new MemorySink(['lb.vrrp']);
    plane.sim.engine.trace.addSink(sink);
    plane.sim.engine.schedule(10_000_000, () => a.process('keepalived').stop(5_000_000));
    plane.sim.runUntil(15_000_000);
    const takeover = sink.ofKind('lb.vrrp').find((e) => e.lb === 'lb-b' && e.state === 'MASTER')!;
    const skewUs = Math.round(((256 - 100) * 1_000_000) / 256);
    expect(takeover.tUs - 10_000_000).toBeGreaterThanOrEqual(skewUs);
    expect(takeover.tUs - 10_000_000).toBeLessThan(skewUs + 2_000);
    expect(plane.sim.network.resolve(LB_ADDRESS)).toBe(b);
  });

  it('rejects a priority out of range', () => {
    const plane = newPlane();
    expect(() => keepalivedProcessSpec({ state: 'MASTER', priority: 255, virtualIpAddress: LB_ADDRESS, unicastPeers: [] }, plane.sim.network)).toThrow(
      new KeepalivedConfigError('(VI_1) priority 255 not in range 1-254'),
    );
  });
});
