import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/sweep/aggregate';
import { csvField, formatCsv } from '../../src/sweep/format-csv';
import { FAKE_METRICS } from './fake-runner';
import { fakeRuns, fakeSpec, LEASE } from './helpers';

describe('csv', () => {
  it('a header with one column per swept flag, one row per (point, metric), raw ms values', () => {
    const spec = fakeSpec(10, ['15s', '30s']);
    const result = aggregate(spec, FAKE_METRICS, fakeRuns(spec));
    const rows = formatCsv(result).split('\r\n');
    expect(rows[0]).toBe(`${LEASE},metric,unit,runs,n,min,p50,p90,p99,max,mean,ci95_low,ci95_high,max_seed,runs_with_violations,failed_runs`);
    expect(rows).toHaveLength(1 + 2 * FAKE_METRICS.length + 1);
    expect(rows.at(-1)).toBe('');
    const row = rows[1 + FAKE_METRICS.length]!.split(',');
    const s = result.points[1]!.summary['failover:kube-system/kube-scheduler']!;
    expect(row.slice(0, 5)).toEqual(['30s', 'failover:kube-system/kube-scheduler', 'ms', '10', String(s.n)]);
    expect(Number(row[9])).toBe(s.max);
    expect(Number(row[11])).toBe(s.ci95![0]);
  });

  it('quotes fields with commas, quotes or newlines (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('x\ny')).toBe('"x\ny"');
  });
});
