// The events suite's plumbing (no timing assertions: benchmarks run with `npm run bench`).
import { describe, expect, it } from 'vitest';
import { suite } from '../../src/bench/events';
import { Engine } from '../../src/sim/engine';

describe('bench suite events', () => {
  it('splits a failover-15s run by kind of event, and leaves the engine as it found it', async () => {
    const dispatch = (Engine.prototype as unknown as { run: unknown }).run;
    const results = await suite.run({ quick: true });
    expect((Engine.prototype as unknown as { run: unknown }).run).toBe(dispatch);
    expect(results[0]!.name).toBe('a run: build / events / finish');
    const kinds = results.slice(1).map((r) => r.name);
    // Raft datagrams are the most frequent kind of event of a run (etcd's heartbeats)
    expect(kinds).toContain('Raft datagram');
    expect(kinds.some((k) => /^segment to kube-apiserver: /.test(k))).toBe(true);
    expect(kinds.some((k) => /^timer onTickTimer of etcd$/.test(k))).toBe(true);
    for (const r of results.slice(1)) {
      expect(r.unit).toBe('µs/event');
      expect(r.value).toBeGreaterThan(0);
      expect(r.note).toMatch(/^\d+ per run, \d+\.\d% of the time in events$/);
    }
  });
});
