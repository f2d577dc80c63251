// The NLB profile: target health thresholds, flow-hash routing that keeps a flow on its target, RST of an
// unhealthy target's connections, fail-open when every target is unhealthy, config validation.
import { describe, expect, it } from 'vitest';
import { newPlane, startClient, LB_ADDRESS } from '../apiserver/harness';
import { MemorySink } from '../../src/sim/trace';
import { nlbProcessSpec, NlbConfigError, type NlbConfig } from '../../src/lb/nlb';
import { LEASES } from '../../src/apiserver/objects';

function nlbPlane(config: Partial<NlbConfig> = {}) {
  const plane = newPlane({ latencyUs: 250 });
  const lbHost = plane.sim.addHost('nlb', { address: LB_ADDRESS });
  const nlb = nlbProcessSpec({ targets: [{ target: 'cp-0' }, { target: 'cp-1' }, { target: 'cp-2' }], healthCheckIntervalSeconds: 10, healthCheckTimeoutSeconds: 5, healthyThresholdCount: 2, unhealthyThresholdCount: 2, ...config }, plane.sim.network);
  lbHost.addProcess(nlb);
  return { plane, nlb };
}

describe('nlb', () => {
  it('targets start initial (fail-open), become healthy after the healthy threshold, unhealthy after the unhealthy threshold', () => {
    const { plane, nlb } = nlbPlane();
    const sink = new MemorySink(['lb.server']);
    plane.sim.engine.trace.addSink(sink);
    plane.sim.engine.schedule(60_000_000, () => plane.apiHosts[1]!.process('kube-apiserver').crash());
    plane.sim.runUntil(100_000_000);
    const events = sink.ofKind('lb.server').map((e) => `${Math.floor(e.tUs / 1_000_000)} ${e.line}`);
    expect(events).toEqual([
      '10 Target cp-0 (10.0.0.21:6443) initial -> healthy',
      '10 Target cp-1 (10.0.0.22:6443) initial -> healthy',
      '10 Target cp-2 (10.0.0.23:6443) initial -> healthy',
      '70 Target cp-1 (10.0.0.22:6443) healthy -> unhealthy (Target.FailedHealthChecks: Health checks failed)',
    ]);
    expect(nlb.current()!.targetStates().map((t) => t.health)).toEqual(['healthy', 'unhealthy', 'healthy']);
  });

  it('routes flows by hash (not in turn) and keeps a flow on its target; an unhealthy target\'s flows are reset', () => {
    // An HTTPS check: a frozen apiserver still completes TCP handshakes, but its /healthz never answers.
    const { plane } = nlbPlane({ healthCheckProtocol: 'HTTPS', healthCheckPath: '/healthz' });
    const sink = new MemorySink(['lb.session']);
    plane.sim.engine.trace.addSink(sink);
    const outcomes: string[] = [];
    for (let k = 0; k < 12; k++) {
      startClient(plane.clientHost, `c${k}`, LB_ADDRESS, (client, ctx) => {
        const poll = (): void => {
          client.create(LEASES, 'kube-system', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `l${k}-${Math.floor(plane.sim.engine.nowUs / 1000)}` }, spec: {} }, {}, (r) => {
            if (!r.ok) outcomes.push(r.error.message);
            ctx.setTimer(1_000_000, poll);
          });
        };
        ctx.setTimer(15_000_000 + k * 1000, poll);
      });
    }
    plane.sim.engine.schedule(40_000_000, () => plane.apiHosts[0]!.process('kube-apiserver').pause());
    plane.sim.runUntil(80_000_000);
    const routed = sink.ofKind('lb.session').filter((e) => e.event === 'routed' && e.tUs < 20_000_000).map((e) => e.server);
    expect(routed).toHaveLength(12);
    expect(new Set(routed).size).toBe(3);
    expect(routed.slice(0, 3)).not.toEqual(['cp-0', 'cp-1', 'cp-2']); // not round robin in this seed's hashes
    const killed = sink.ofKind('lb.session').filter((e) => e.event === 'killed');
    expect(killed.length).toBe(routed.filter((s) => s === 'cp-0').length);
    expect(killed.every((e) => e.server === 'cp-0' && e.tUs > 40_000_000)).toBe(true);
    // The writes in flight on the frozen target fail with the reset; later ones go elsewhere.
    expect(outcomes.length).toBeGreaterThan(0);
    for (const o of outcomes) expect(o).toMatch(/^Post "https:\/\/10\.0\.0\.100:6443\/apis\/coordination\.k8s\.io\/v1\/namespaces\/kube-system\/leases": read tcp 10\.0\.1\.10:\d+->10\.0\.0\.100:6443: read: connection reset by peer$/);
  });

  it('fails open: with every target unhealthy, new flows still go to all targets', () => {
    const { plane } = nlbPlane({ healthCheckProtocol: 'HTTPS', healthCheckPath: '/readyz' });
    const sink = new MemorySink(['lb.server', 'lb.session']);
    plane.sim.engine.trace.addSink(sink);
    plane.sim.engine.schedule(30_000_000, () => plane.etcd.setLeader(false));
    const results: string[] = [];
    for (let k = 0; k < 6; k++) {
      startClient(plane.clientHost, `c${k}`, LB_ADDRESS, (client, ctx) => {
        ctx.setTimer(70_000_000 + k * 1000, () => client.getRaw('/livez', null, {}, (r) => results.push(r.ok ? 'ok' : r.error.message)));
      });
    }
    plane.sim.runUntil(80_000_000);
    const unhealthy = sink.ofKind('lb.server').filter((e) => e.state === 'DOWN');
    expect(unhealthy.map((e) => e.line.replace(/cp-\d \(10\.0\.0\.2\d/, 'X'))).toEqual(
      Array(3).fill('Target X:6443) healthy -> unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [500])'),
    );
    const routed = sink.ofKind('lb.session').filter((e) => e.event === 'routed' && e.tUs >= 70_000_000);
    expect(routed).toHaveLength(6);
    expect(results).toHaveLength(6);
  });

  it('rejects out-of-range health check settings and unknown targets', () => {
    const plane = newPlane();
    expect(() =>
      nlbProcessSpec({ targets: [{ target: 'cp-0' }, { target: 'nope' }], healthCheckIntervalSeconds: 3, healthyThresholdCount: 11, healthCheckTimeoutSeconds: 10 }, plane.sim.network),
    ).toThrow(NlbConfigError);
    try {
      nlbProcessSpec({ targets: [{ target: 'cp-0' }, { target: 'nope' }], healthCheckIntervalSeconds: 3, healthyThresholdCount: 11, healthCheckTimeoutSeconds: 10 }, plane.sim.network);
    } catch (e) {
      expect((e as NlbConfigError).messages).toEqual([
        'HealthCheckIntervalSeconds must be an integer between 5 and 300 (got 3)',
        'HealthyThresholdCount must be an integer between 2 and 10 (got 11)',
        'HealthCheckTimeoutSeconds (10) must be smaller than HealthCheckIntervalSeconds (3)',
        "target 'nope' is not a simulated host (hosts: etcd-0, etcd-1, etcd-2, cp-0, cp-1, cp-2, client)",
      ]);
    }
  });
});
