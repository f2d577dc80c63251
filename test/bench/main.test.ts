// The benchmark runner's plumbing (no timing: benchmarks run with `npm run bench`, never as timed tests).
import { describe, expect, it, vi } from 'vitest';
import { formatNumber, formatTable, main } from '../../src/bench/main';
import { measureRate, median, meets } from '../../src/bench/suite';

describe('bench runner', () => {
  it('formats numbers and a table with medians, spread, CPU rate and targets', () => {
    expect(formatNumber(2_345_678)).toBe('2.35M');
    expect(formatNumber(12_345)).toBe('12,345');
    expect(formatNumber(1.234)).toBe('1.23');
    const table = formatTable([
      {
        suite: 'engine',
        results: [
          { name: 'no-op events', value: 2_500_000, unit: 'events/s', samples: [2_400_000, 2_600_000], perCpuSecond: 3_000_000, target: { op: '>=', value: 2_000_000 } },
          { name: 'overhead', value: 3.5, unit: 'x', target: { op: '<', value: 3 }, note: 'paired' },
        ],
      },
    ]);
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^suite\s+benchmark\s+median\s+unit\s+min \.\. max\s+per CPU-s\s+target\s+note$/);
    expect(lines[2]).toMatch(/^engine\s+no-op events\s+2\.50M\s+events\/s\s+2\.40M \.\. 2\.60M\s+3\.00M\s+>= 2\.00M ok$/);
    expect(lines[3]).toMatch(/overhead\s+3\.50\s+x\s+< 3\.00 MISSED\s+paired$/);
  });

  it('median, targets and rates', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(meets(2, { op: '>=', value: 2 })).toBe(true);
    expect(meets(3, { op: '<', value: 3 })).toBe(false);
    let runs = 0;
    const rate = measureRate(() => (runs++, 1000), 3, 2);
    expect(runs).toBe(5);
    expect(rate.samples).toHaveLength(3);
    expect(rate.median).toBeGreaterThan(0);
  });

  it('rejects an unknown suite or option with exit code 2, and lists suites', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['no-such-suite'])).toBe(2);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/^bench: no suite matches no-such-suite \(suites: engine/);
      expect(await main(['--frobnicate'])).toBe(2);
      expect(await main(['engine', '--list'])).toBe(0);
      expect(String(out.mock.calls.at(-1)?.[0])).toMatch(/^engine\s+event engine throughput/);
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  });
});
