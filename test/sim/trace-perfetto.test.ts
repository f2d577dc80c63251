import { describe, expect, it } from 'vitest';
import { PerfettoSink, type ChromeTraceEvent } from '../../src/sim/trace-perfetto';
import { US_PER_S } from '../../src/sim/time';
import { addProc, newSim } from './helpers';

declare module '../../src/sim/trace' {
  interface TraceEventMap {
    'test.leader': { host: string; leader: boolean };
  }
}

describe('PerfettoSink', () => {
  it('writes Chrome trace-event JSON: a process per host, a thread per process, lifetimes as slices, faults as global instants', () => {
    const sim = newSim();
    const host = sim.addHost('server-0', { address: '10.0.0.1' });
    let json = '';
    const sink = new PerfettoSink((text) => (json = text));
    sink.addMapper('test.leader', (e, api) => {
      if (e.kind !== 'test.leader') return;
      if (e.leader) api.begin(e.host, 'leadership', 'leader', e.tUs);
      else api.end(e.host, 'leadership', e.tUs);
    });
    sim.engine.trace.addSink(sink);
    addProc(host, 'etcd', () => ({}));
    sim.start([
      { atUs: US_PER_S, fault: { kind: 'pause', host: 'server-0', process: 'etcd', durationUs: US_PER_S } },
      { atUs: 3 * US_PER_S, fault: { kind: 'crash', host: 'server-0', process: 'etcd' } },
    ]);
    sim.engine.scheduleAt(500_000, () => sim.engine.trace.emit('test.leader', { host: 'server-0', leader: true }));
    sim.runUntil(4 * US_PER_S);
    sim.finish('done');
    const doc = JSON.parse(json) as { traceEvents: ChromeTraceEvent[]; displayTimeUnit: string };
    expect(doc.displayTimeUnit).toBe('ms');
    const events = doc.traceEvents;
    expect(events.filter((e) => e.ph === 'M').map((e) => `${e.name} ${e.pid}/${e.tid ?? '-'} ${String(e.args?.name)}`)).toEqual([
      'process_name 0/- cluster',
      'process_name 1/- server-0',
      'thread_name 1/1 etcd',
      'thread_name 1/2 leadership',
    ]);
    const rest = events.filter((e) => e.ph !== 'M').map((e) => `${e.ts} ${e.ph} ${e.pid}/${e.tid ?? '-'} ${e.name}`);
    expect(rest).toEqual([
      '0 B 1/1 running',
      '500000 B 1/2 leader',
      '1000000 i 0/- fault: pause server-0/etcd for 1s',
      '1000000 E 1/1 ',
      '1000000 B 1/1 paused',
      '2000000 E 1/1 ',
      '2000000 B 1/1 running',
      '3000000 i 0/- fault: crash server-0/etcd',
      '3000000 E 1/1 ',
      '3000000 i 1/1 crashed',
      '4000000 E 1/2 ', // open slices end when the run ends
    ]);
  });
});
