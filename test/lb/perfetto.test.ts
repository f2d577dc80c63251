// The load balancer's and apiservers' Perfetto mappers draw DOWN periods and readiness on the right tracks.
import { describe, expect, it } from 'vitest';
import { newPlane } from '../apiserver/harness';
import { PerfettoSink, type ChromeTraceEvent } from '../../src/sim/trace-perfetto';
import { addLbPerfettoMappers } from '../../src/lb/perfetto';
import { addApiserverPerfettoMappers } from '../../src/apiserver/perfetto';

describe('perfetto mappers', () => {
  it('a crashed apiserver shows as a DOWN slice on the LB host and a healthz-failing slice at startup', () => {
    const plane = newPlane({ lb: true, latencyUs: 250 });
    let json = '';
    const sink = new PerfettoSink((j) => (json = j));
    addLbPerfettoMappers(sink);
    addApiserverPerfettoMappers(sink);
    plane.sim.engine.trace.addSink(sink);
    plane.sim.engine.schedule(10_000_000, () => plane.apiHosts[0]!.process('kube-apiserver').crash());
    plane.sim.runUntil(20_000_000);
    plane.sim.finish('done');
    const doc = JSON.parse(json) as { traceEvents: ChromeTraceEvent[] };
    const names = doc.traceEvents.map((e) => `${e.ph} ${e.name}`);
    expect(names).toContain('B cp-0 DOWN');
    expect(names).toContain('i cp-0 UP');
    expect(names.filter((n) => n === 'B healthz failing').length).toBeGreaterThan(0);
  });
});
