import { describe, expect, it } from 'vitest';
import { defaultCheckChunkSize, parallelPropertyCheck } from '../../../src/cli/check/parallel';
import { propertyCheck, type CheckProgress, type CheckReport, type FailingRun, type PropertyCheckOptions } from '../../../src/check/property';
import { defaultScenario } from '../../../src/check/session';

const S = 1_000_000;
const scenario = defaultScenario();
/** Fails (a lease split brain) at run 10 of seed 1, as the single-threaded search finds. */
const pauses: PropertyCheckOptions = { scenario, runs: 40, seed: 1, classes: ['pause'], maxFaults: 4, safetyUs: 60 * S, livenessUs: 30 * S, workload: null, shrinkRuns: 20 };
const crashes: PropertyCheckOptions = { scenario, runs: 6, seed: 3, classes: ['crash'], maxFaults: 2, safetyUs: 15 * S, livenessUs: 20 * S, workload: {} };

/** A report without the live runs it keeps for queries (their closures differ between any two runs). */
function comparable(report: CheckReport): unknown {
  const f = report.failure;
  const dead = (r: FailingRun): FailingRun => ({ ...r, result: { ...r.result, run: null } });
  return { ...report, failure: f === null ? null : { ...f, found: dead(f.found), shrunk: dead(f.shrunk) } };
}

describe('check on worker threads', () => {
  it('gives the single-threaded report when a run fails: the first failing run, the totals up to it, the same shrinking', async () => {
    const inThread = propertyCheck(pauses);
    expect(inThread.failure).not.toBeNull();
    expect(inThread.runs).toBeLessThan(pauses.runs); // so later runs in flight must be discarded
    for (const [workers, chunkSize] of [
      [2, 1],
      [3, 3],
    ] as const) {
      const progress: CheckProgress[] = [];
      const parallel = await parallelPropertyCheck({ ...pauses, workers, chunkSize, onProgress: (p) => progress.push(p) });
      expect(comparable(parallel)).toEqual(comparable(inThread));
      const search = progress.filter((p) => p.phase === 'search').map((p) => p.runs);
      expect(search).toEqual([...search].sort((a, b) => a - b));
      expect(search.at(-1)).toBe(inThread.runs);
      expect(progress.at(-1)).toMatchObject({ phase: 'shrink', shrinkRuns: inThread.failure!.shrinkRuns });
    }
  });

  it('gives the single-threaded report when every run passes (with the KV workload)', async () => {
    const inThread = propertyCheck(crashes);
    expect(inThread.failure).toBeNull();
    expect(inThread.runs).toBe(crashes.runs);
    expect(comparable(await parallelPropertyCheck({ ...crashes, workers: 2 }))).toEqual(comparable(inThread));
  });

  it('replays a path in this thread, as the single-threaded search does', async () => {
    const inThread = propertyCheck({ ...pauses, path: '9' });
    expect(inThread.failure?.path).toBe('9');
    expect(comparable(await parallelPropertyCheck({ ...pauses, path: '9', workers: 2 }))).toEqual(comparable(inThread));
  });

  it('a run that throws after the first failure does not hide it; one that throws first is thrown, as in one thread', async () => {
    // Seed 40: run 1 splits the lease, run 2 throws (a linearizability step budget of 0 is refused).
    const laterThrow: PropertyCheckOptions = { ...pauses, seed: 40, runs: 4, workload: {}, linearizabilitySteps: 0 };
    const inThread = propertyCheck(laterThrow);
    expect(inThread.failure?.foundAtRun).toBe(1);
    for (const chunkSize of [1, 2]) expect(comparable(await parallelPropertyCheck({ ...laterThrow, workers: 2, chunkSize }))).toEqual(comparable(inThread));

    const firstThrow: PropertyCheckOptions = { ...crashes, runs: 3, linearizabilitySteps: 0 };
    expect(() => propertyCheck(firstThrow)).toThrow('checkLinearizability: step budgets must be >= 1');
    await expect(parallelPropertyCheck({ ...firstThrow, workers: 2, chunkSize: 1 })).rejects.toThrow('checkLinearizability: step budgets must be >= 1');
  });

  it('runs in this thread for one worker, and checks its options', async () => {
    expect(comparable(await parallelPropertyCheck({ ...crashes, runs: 2, workers: 1 }))).toEqual(comparable(propertyCheck({ ...crashes, runs: 2 })));
    await expect(parallelPropertyCheck({ ...crashes, workers: 0 })).rejects.toThrow(/workers must be an integer/);
    await expect(parallelPropertyCheck({ ...crashes, workers: 2, chunkSize: 0 })).rejects.toThrow(/chunkSize must be a whole number/);
    expect(defaultCheckChunkSize(500, 2)).toBe(4);
    expect(defaultCheckChunkSize(10, 8)).toBe(1);
  });
});
