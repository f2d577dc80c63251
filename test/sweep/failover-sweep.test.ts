// Acceptance of the sweep on the real scenario (issue 8), sized for CI: lease durations 15s, 30s, 60s on
// failover-15s.yaml. The 1,000-seed version is a documented command (docs/sweeps.md); here a dozen seeds per
// grid point, every property checked on every run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeCommand, sweepCommand, type SweepCommandOptions, type SweepIo } from '../../src/cli/commands/sweep';
import { parseResult } from '../../src/sweep/documents';
import type { SweepResult } from '../../src/sweep/types';

const SCENARIO = 'scenarios/failover-15s.yaml';
const LEASE = 'kube-scheduler.--leader-elect-lease-duration';
const FAILOVER = 'failover:kube-system/kube-scheduler';
const SEEDS = 12;
/** client-go: a standby takes over at its first jittered retry after lease duration of its own observation. */
const RETRY_PERIOD_MS = 2_000;
const dir = mkdtempSync(join(tmpdir(), 'sweep-acceptance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): SweepIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, progress: null, out: () => out, err: () => err };
}

const base: SweepCommandOptions = { set: [`${LEASE}=15s,30s,60s`], seeds: String(SEEDS), firstSeed: '1', until: '100s', workers: '1', output: 'json' };

async function run(extra: Partial<SweepCommandOptions>): Promise<{ code: number; out: string; err: string }> {
  const sink = io();
  const code = await sweepCommand(SCENARIO, { ...base, ...extra }, sink);
  return { code, out: sink.out(), err: sink.err() };
}

async function sweep(extra: Partial<SweepCommandOptions>): Promise<string> {
  const { code, out, err } = await run(extra);
  expect(err).toBe('');
  expect(code).toBe(0);
  return out;
}

describe('sweep of lease durations on failover-15s', () => {
  let single = '';
  let result: SweepResult;
  beforeAll(async () => {
    single = await sweep({ workers: '1' });
    result = parseResult('single', single);
  });

  it('fail-over grows with the lease duration, seed by seed', () => {
    const [s15, s30, s60] = result.points.map((p) => p.samples[FAILOVER]!);
    for (let i = 0; i < SEEDS; i++) {
      // Every grid point runs the same seeds, so runs pair up: a longer lease never fails over sooner.
      expect(s30![i]!, `seed ${i + 1}`).toBeGreaterThan(s15![i]! + 10_000);
      expect(s60![i]!, `seed ${i + 1}`).toBeGreaterThan(s30![i]! + 25_000);
    }
    const p50 = result.points.map((p) => p.summary[FAILOVER]!.p50!);
    expect(p50[0]).toBeLessThan(p50[1]!);
    expect(p50[1]).toBeLessThan(p50[2]!);
  });

  it("stays inside client-go's bounds: no gap below lease duration minus retry period, every fail-over completed", () => {
    for (const [i, leaseMs] of [15_000, 30_000, 60_000].entries()) {
      const point = result.points[i]!;
      expect(point.summary[FAILOVER]!.n).toBe(SEEDS);
      expect(point.summary[FAILOVER]!.min!).toBeGreaterThanOrEqual(leaseMs - RETRY_PERIOD_MS);
      expect(point.summary['unresolved-failovers']!.max).toBe(0);
      expect(point.violations).toEqual([]);
      expect(point.errors).toEqual([]);
    }
    // 15 s: the scenario's own window, 13 s to 25 s after the crash, for the typical run.
    expect(result.points[0]!.summary[FAILOVER]!.p50!).toBeLessThan(25_000);
  });

  it('gives the same result byte for byte with 2 workers (and so passes against itself as a baseline)', async () => {
    const baseline = join(dir, 'baseline.json');
    writeFileSync(baseline, single);
    const two = await run({ workers: '2', baseline, tolerance: '5%' });
    expect(two.out).toBe(single);
    expect(two.err).toMatch(/^baseline: no regression beyond 5% \(3 grid points, \d+ metrics, statistics p50\/p90\/p99\/mean\)\n$/);
    expect(two.code).toBe(0);
  });

  it('baseline gating: longer leases (20s, 35s, 65s) fail against the saved 15s/30s/60s result, exit 1', async () => {
    const baseline = join(dir, 'baseline.json');
    writeFileSync(baseline, single);
    const worse = await run({ set: [`${LEASE}=20s,35s,65s`], workers: '2', baseline, tolerance: '5%', output: 'table' });
    expect(worse.code).toBe(1);
    for (const [now, before] of [['20s', '15s'], ['35s', '30s'], ['65s', '60s']]) {
      expect(worse.err).toContain(`  ${LEASE}=${now} (baseline: ${LEASE}=${before})\n    fail-over kube-scheduler p50: `);
    }
    expect(worse.out).toContain(`${LEASE}=65s  (${SEEDS} runs`);
  });

  it('gives the same result byte for byte from 3 shards merged', async () => {
    const files: string[] = [];
    for (const index of [0, 1, 2]) {
      const file = join(dir, `shard-${index}.json`);
      expect(await sweep({ shard: `${index}/3`, out: file })).toBe('');
      files.push(file);
    }
    const sink = io();
    expect(await mergeCommand(files, { output: 'json' }, sink)).toBe(0);
    expect(sink.out()).toBe(single);
  });
});
