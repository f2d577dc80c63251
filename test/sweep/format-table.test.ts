import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/sweep/aggregate';
import { formatTable } from '../../src/sweep/format-table';
import { FAKE_METRICS } from './fake-runner';
import { fakeRuns, fakeSpec, LEASE } from './helpers';

describe('table', () => {
  it('one block per grid point, one aligned row per metric, durations in seconds', () => {
    const spec = fakeSpec(20, ['15s', '60s']);
    const result = aggregate(spec, FAKE_METRICS, fakeRuns(spec, { violationSeeds: [2], failSeeds: [3] }));
    const lines = formatTable(result).split('\n');
    expect(lines[0]).toBe('sweep fake-failover (scenarios/fake.yaml): 2 grid points x 20 seeds (seeds 1..20), runs of 1m0s');
    const block = lines.indexOf(`${LEASE}=60s  (20 runs, 1 with violations, 1 failed)`);
    expect(block).toBeGreaterThan(0);
    const header = lines[block + 1]!;
    expect(header.trim().split(/\s{2,}/)).toEqual(['metric', 'n', 'min', 'p50', 'p90', 'p99', 'max', 'mean', '95% CI of mean', 'max at seed']);
    const row = lines[block + 2]!;
    expect(row.length).toBe(header.length);
    const s = result.points[1]!.summary['failover:kube-system/kube-scheduler']!;
    const cells = row.trim().split(/\s{2,}/);
    expect(cells[0]).toBe('fail-over kube-scheduler');
    expect(cells[2]).toBe(`${(s.min! / 1000).toFixed(3)}s`);
    expect(cells[9]).toBe(String(s.maxSeed));
    expect(lines).toContain('  violation at seed 2: lease-exclusivity');
    expect(lines).toContain('  run failed at seed 3: fake failure at seed 3');
  });
});
