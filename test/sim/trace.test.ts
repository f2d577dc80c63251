import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/sim/engine';
import { MemorySink, Trace, type TraceEvent, type TraceSink } from '../../src/sim/trace';

describe('Trace', () => {
  it('stamps events with the simulated time and hands them to the sinks that want their kind', () => {
    const engine = new Engine({ seed: 1 });
    const all = new MemorySink();
    const faultsOnly = new MemorySink(['fault']);
    engine.trace.addSink(all);
    engine.trace.addSink(faultsOnly);
    engine.schedule(42, () => {
      engine.trace.emit('fault', { action: 'crash', target: 'h', detail: 'crash h' });
      engine.trace.emit('host.state', { host: 'h', up: false });
    });
    engine.runUntil(100);
    expect(all.events).toEqual([
      { kind: 'fault', tUs: 42, action: 'crash', target: 'h', detail: 'crash h' },
      { kind: 'host.state', tUs: 42, host: 'h', up: false },
    ]);
    expect(faultsOnly.ofKind('fault')).toHaveLength(1);
    expect(faultsOnly.events).toHaveLength(1);
  });

  it('wants() is false for kinds no sink records, so hot paths build nothing', () => {
    const trace = new Trace({ nowUs: 0 });
    expect(trace.wants('msg.send')).toBe(false);
    const sink: TraceSink = {
      kinds: new Set(['msg.send']),
      write: () => {
        throw new Error('must not be called for other kinds');
      },
    };
    trace.addSink(sink);
    expect(trace.wants('msg.send')).toBe(true);
    expect(trace.wants('msg.deliver')).toBe(false);
    trace.emit('msg.deliver', { id: 1, from: 'a', to: 'b', type: 'x' }); // ignored, no throw
    trace.addSink(new MemorySink('all'));
    expect(trace.wants('msg.deliver')).toBe(true);
  });

  it('close() closes each sink once even if it is registered for several kinds', () => {
    const trace = new Trace({ nowUs: 0 });
    let closed = 0;
    const written: TraceEvent[] = [];
    trace.addSink({ kinds: new Set(['fault', 'log']), write: (e) => written.push(e), close: () => closed++ });
    trace.addSink({ kinds: 'all', write: () => undefined, close: () => closed++ });
    trace.close();
    expect(closed).toBe(2);
  });
});
