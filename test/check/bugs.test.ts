// `check` catches real mistakes: each deliberately injected bug (src/check/bugs.ts, modelled on a real-world
// mistake) is found by the property search within a stated number of runs, the failing plan shrinks to at most 3
// faults, and the shrunk plan passes once the bug is switched off (so the bug, not the faults alone, is what fails).
//
// Each case states its search: the cluster (a scenario spec), the fault classes, the seed and the bound on runs.
// Some clusters are chosen to expose the bug: with kube-scheduler's leader election off (its ReleaseOnCancel window
// is a lease split brain of its own, docs/safety-envelope.md), on a 100 ms network (the race of two standbys for an
// expired lease widens), or on a network that reorders datagrams (stale Raft messages arrive late).
import { describe, expect, it } from 'vitest';
import { BUG_CATALOGUE, type BugName } from '../../src/check/bugs';
import { runCheck } from '../../src/check/harness';
import { propertyCheck } from '../../src/check/property';
import type { FaultClass } from '../../src/check/plan/classes';
import { validateScenarioData } from '../../src/scenario/parse';

interface BugCase {
  readonly bug: BugName;
  readonly spec: Record<string, unknown>;
  readonly classes: readonly FaultClass[];
  readonly maxFaults: number;
  readonly untilS: number;
  readonly seed: number;
  /** check finds it within this many runs. */
  readonly runs: number;
  /** The checker that reports it (several: any of them). */
  readonly checker: string | readonly string[];
  /** Whether the KV workload runs (linearizability, acknowledged writes). */
  readonly workload: boolean;
}

const NO_SCHEDULER_ELECTION = { components: { 'kube-scheduler': { '--leader-elect': false } } };
const ETCD_ONLY = { components: { 'kube-scheduler': { '--leader-elect': false }, 'kube-controller-manager': { '--leader-elect': false } } };
/** etcd without PreVote on a network holding back half the datagrams by up to 3 s: stale Raft messages and split votes. */
const STALE_NETWORK = {
  components: { 'kube-scheduler': { '--leader-elect': false }, 'kube-controller-manager': { '--leader-elect': false }, etcd: { '--pre-vote': false } },
  network: { reorder: 0.5, reorderDelay: { distribution: 'uniform', min: '0s', max: '3s' } },
};

const CASES: readonly BugCase[] = [
  { bug: 'expiry-from-renew-time', spec: {}, classes: ['clock-skew'], maxFaults: 2, untilS: 30, seed: 1, runs: 5, checker: 'lease-exclusivity', workload: false },
  { bug: 'ignore-renew-deadline', spec: NO_SCHEDULER_ELECTION, classes: ['partition'], maxFaults: 4, untilS: 60, seed: 1, runs: 60, checker: 'lease-exclusivity', workload: false },
  {
    bug: 'update-without-resource-version',
    spec: { ...NO_SCHEDULER_ELECTION, network: { latency: '100ms' } },
    classes: ['crash'],
    maxFaults: 4,
    untilS: 60,
    seed: 1,
    runs: 30,
    checker: 'lease-exclusivity',
    workload: false,
  },
  { bug: 'lb-never-marks-down', spec: NO_SCHEDULER_ELECTION, classes: ['crash'], maxFaults: 4, untilS: 60, seed: 1, runs: 30, checker: 'lb-health', workload: false },
  {
    bug: 'truncate-without-conflict',
    spec: { ...ETCD_ONLY, network: { reorder: 0.2, reorderDelay: { distribution: 'uniform', min: '0s', max: '1s' } } },
    classes: ['crash', 'partition'],
    maxFaults: 4,
    untilS: 30,
    seed: 1,
    runs: 50,
    // the Raft safety checkers, or etcd-raft's own panic ("tocommit(17) is out of range [lastIndex(16)]. Was the raft
    // log corrupted, truncated, or lost?"), which the simulator raises as an internal error of the run
    checker: ['raft-safety', 'internal-error'],
    workload: true,
  },
  { bug: 'no-check-quorum', spec: NO_SCHEDULER_ELECTION, classes: ['partition'], maxFaults: 4, untilS: 60, seed: 2, runs: 30, checker: 'etcd-availability', workload: false },
  { bug: 'vote-twice-per-term', spec: STALE_NETWORK, classes: ['crash', 'partition'], maxFaults: 4, untilS: 30, seed: 2, runs: 50, checker: 'raft-safety', workload: true },
  { bug: 'accept-stale-term-append', spec: STALE_NETWORK, classes: ['crash', 'partition'], maxFaults: 4, untilS: 30, seed: 2, runs: 60, checker: 'raft-safety', workload: true },
];

const S = 1_000_000;

describe('check finds each injected bug and shrinks it', () => {
  for (const c of CASES) {
    it(`${c.bug}: ${BUG_CATALOGUE[c.bug].model}`, () => {
      const scenario = validateScenarioData({ apiVersion: 'kube-ha-sim/v1', kind: 'Scenario', metadata: { name: c.bug }, spec: c.spec }, null, null);
      const common = {
        scenario,
        seed: c.seed,
        classes: c.classes,
        maxFaults: c.maxFaults,
        safetyUs: c.untilS * S,
        livenessUs: 30 * S,
        workload: c.workload ? {} : null,
      };
      const report = propertyCheck({ ...common, runs: c.runs, bugs: BUG_CATALOGUE[c.bug].bugs });
      const f = report.failure;
      expect(f, `not found within ${c.runs} runs`).not.toBeNull();
      const checkers = typeof c.checker === 'string' ? [c.checker] : c.checker;
      expect(checkers).toContain(f!.violation.checker);
      if (f!.violation.checker === 'internal-error') expect(f!.violation.message).toMatch(/raft log: tocommit\(\d+\) is out of range/);
      expect(f!.foundAtRun).toBeLessThanOrEqual(c.runs);
      expect(f!.shrunk.windows.length).toBeLessThanOrEqual(3);
      expect(f!.shrunk.windows.length).toBeLessThanOrEqual(f!.found.windows.length);
      // The same shrunk plan, same seed, without the bug: no violation of that kind.
      const control = runCheck({
        scenario,
        seed: f!.simSeed,
        windows: f!.shrunk.windows,
        safetyUs: common.safetyUs,
        livenessUs: common.livenessUs,
        workload: f!.withoutWorkload ? null : common.workload,
      });
      expect(checkers).not.toContain(control.violation?.checker ?? 'none');
    });
  }

  it('covers at least 8 bugs of the catalogue', () => {
    expect(new Set(CASES.map((c) => c.bug)).size).toBeGreaterThanOrEqual(8);
    for (const c of CASES) expect(Object.keys(BUG_CATALOGUE)).toContain(c.bug);
  });
});
