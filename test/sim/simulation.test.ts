// Whole-simulation properties (issue 2 acceptance): a run is a pure function of (fault plan, seed), and adding an
// unrelated host does not shift anyone else's random draws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultPlanArb, runWorkload, WORKLOAD_HOSTS } from './workload';

const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('determinism', () => {
  it('two runs of the same (plan, seed) write byte-identical NDJSON traces; another seed writes another', () => {
    let lines = 0;
    fc.assert(
      fc.property(faultPlanArb, seedArb, (plan, seed) => {
        const first = runWorkload({ seed, plan }).ndjson;
        const second = runWorkload({ seed, plan }).ndjson;
        expect(second).toBe(first);
        expect(runWorkload({ seed: seed + 1, plan }).ndjson).not.toBe(first);
        lines += first.split('\n').length;
      }),
      { numRuns: 25 },
    );
    // The workload is not trivial: thousands of events per run.
    expect(lines / 25).toBeGreaterThan(1_000);
  });

  it('the workload exercises what the plan throws at it', () => {
    const { ndjson, sim } = runWorkload({
      seed: 1,
      plan: [
        { atUs: 100_000, fault: { kind: 'partition', groups: [['h0', 'h1'], ['h2', 'h3']] } },
        { atUs: 300_000, fault: { kind: 'pause', host: 'h2', durationUs: 400_000 } },
        { atUs: 500_000, fault: { kind: 'restart', host: 'h1', process: 'node', downUs: 200_000 } },
        { atUs: 900_000, fault: { kind: 'heal' } },
        { atUs: 1_000_000, fault: { kind: 'clock-jump', host: 'h3', deltaUs: 5_000_000, monotonic: true } },
        { atUs: 1_200_000, fault: { kind: 'crash', host: 'h0' } },
        { atUs: 1_800_000, fault: { kind: 'start', host: 'h0' } },
      ],
    });
    const kinds = new Set(ndjson.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { kind: string }).kind));
    for (const kind of ['run.start', 'msg.send', 'msg.deliver', 'msg.drop', 'proc.state', 'host.state', 'conn.state', 'fault', 'log', 'run.end']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(ndjson).toMatch(/"reason":"partition"/);
    expect(ndjson).toMatch(/rpc \d+ to [\d.]+: ok/);
    expect(ndjson).toMatch(/rpc \d+ to [\d.]+: (deadline|connect|connection)/);
    expect(sim.network.stats.retransmissions).toBeGreaterThan(0);
  });
});

describe('isolation of random streams', () => {
  /** Streams and trace lines that concern only the workload's own hosts (not the extra host x). */
  const ownStream = (name: string): boolean => !/(^|[/>])x([/>]|$)/.test(name);
  const ownLines = (ndjson: string): string[] =>
    ndjson
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((e) => e.kind !== 'run.end' && e.host !== 'x' && e.from !== 'x' && e.to !== 'x' && e.target !== 'x')
      // Message and connection ids are global counters: the extra host's traffic shifts them.
      .map(({ id: _id, conn: _conn, ...rest }) => JSON.stringify(rest));

  it('adding an unrelated host leaves the other hosts draws (value by value) and their trace unchanged', () => {
    fc.assert(
      fc.property(faultPlanArb, seedArb, (plan, seed) => {
        const baseDraws = new Map<string, number[]>();
        const withXDraws = new Map<string, number[]>();
        const base = runWorkload({ seed, plan, recordDraws: baseDraws });
        const withX = runWorkload({ seed, plan, extraHost: true, recordDraws: withXDraws });
        // x did work of its own, drawing from its own process and network streams.
        const xStreams = [...withXDraws.keys()].filter((n) => !ownStream(n));
        expect(xStreams.filter((n) => n.startsWith('net/')).length).toBeGreaterThan(0);
        expect(xStreams.filter((n) => n.startsWith('proc/')).length).toBeGreaterThan(0);
        const own = [...withXDraws.keys()].filter(ownStream).sort();
        expect(own).toEqual([...baseDraws.keys()].sort());
        for (const name of own) expect(withXDraws.get(name), name).toEqual(baseDraws.get(name));
        expect(ownLines(withX.ndjson)).toEqual(ownLines(base.ndjson));
        for (const host of WORKLOAD_HOSTS) expect(withX.sim.host(host).disk.get('n')).toBe(base.sim.host(host).disk.get('n'));
      }),
      { numRuns: 15 },
    );
  });
});
