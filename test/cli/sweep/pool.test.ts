import { describe, expect, it } from 'vitest';
import { defaultChunkSize, runPool } from '../../../src/cli/sweep/pool';
import { runCount } from '../../../src/sweep/grid';
import type { RunnerFactoryRef } from '../../../src/sweep/runner';
import { fakeRuns, fakeSpec } from '../../sweep/helpers';

const FAKE: RunnerFactoryRef = { moduleUrl: new URL('../../sweep/fake-runner.ts', import.meta.url).href, exportName: 'createFakeRunner', config: { failSeeds: [4] } };

describe('worker pool', () => {
  const spec = fakeSpec(30, ['15s', '30s', '60s']);
  const inThread = fakeRuns(spec, { failSeeds: [4] });

  it('worker threads give exactly the runs computed in this thread, whatever the workers and chunking', async () => {
    for (const [workers, chunkSize] of [
      [1, undefined],
      [2, 1],
      [3, 7],
    ] as const) {
      const progress: number[] = [];
      const runs = await runPool({ runner: FAKE, spec, from: 0, to: runCount(spec), workers, ...(chunkSize ? { chunkSize } : {}), onProgress: (d) => progress.push(d) });
      expect(runs).toEqual(inThread);
      expect(progress.at(-1)).toBe(90);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
    }
  });

  it('runs a slice of the run order', async () => {
    const runs = await runPool({ runner: FAKE, spec, from: 25, to: 41, workers: 2 });
    expect(runs).toEqual(inThread.slice(25, 41));
  });

  it('reports a runner that cannot be loaded', async () => {
    const missing: RunnerFactoryRef = { ...FAKE, exportName: 'noSuchFactory' };
    await expect(runPool({ runner: missing, spec, from: 0, to: 4, workers: 1 })).rejects.toThrow(/does not export a runner factory named noSuchFactory/);
  });

  it('validates its options', async () => {
    await expect(runPool({ runner: FAKE, spec, from: 0, to: 4, workers: 0 })).rejects.toThrow(/workers must be/);
    expect(await runPool({ runner: FAKE, spec, from: 3, to: 3, workers: 2 })).toEqual([]);
    expect(defaultChunkSize(3000, 2)).toBe(64);
    expect(defaultChunkSize(10, 4)).toBe(1);
  });
});
