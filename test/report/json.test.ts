// The json output's documented schema (docs/json-output.md), checked strictly on real runs: a field added or renamed
// without updating the schema and the docs fails here.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadScenarioFile } from '../../src/cli/load';
import { runWithOutputs } from '../../src/report/outputs';
import { ROOT } from '../cli/helpers';

const interval = z.strictObject({ holder: z.string().min(1), host: z.string().min(1), fromMs: z.number().min(0), toMs: z.number().min(0).nullable() });
const etcdInterval = interval.extend({ term: z.number().int().min(1) });
const fault = z.looseObject({ atMs: z.number().min(0), action: z.string(), target: z.string(), detail: z.string() });
const report = z.strictObject({
  apiVersion: z.literal('kube-ha-sim/v1'),
  kind: z.literal('RunReport'),
  scenario: z.string(),
  file: z.string().nullable(),
  seed: z.string(),
  durationMs: z.number().positive(),
  endMs: z.number().min(0),
  stopReason: z.string(),
  outcome: z.enum(['pass', 'fail']),
  events: z.number().int().positive(),
  faults: z.array(fault),
  plannedFaults: z.array(fault),
  skippedFaults: z.array(fault.extend({ reason: z.string() })),
  violations: z.array(z.strictObject({ invariant: z.string(), message: z.string(), hosts: z.array(z.string()), atMs: z.number(), event: z.number(), seed: z.string(), replay: z.string() })),
  leaders: z.looseObject({ etcd: z.array(etcdInterval) }).catchall(z.array(interval)),
  expectations: z.array(z.strictObject({ type: z.string(), description: z.string(), passed: z.boolean(), detail: z.string() })),
  metrics: z.strictObject({
    failovers: z.array(
      z.strictObject({
        lease: z.string(),
        cause: z.string(),
        causeAtMs: z.number(),
        fromHolder: z.string(),
        fromHost: z.string(),
        toHolder: z.string().nullable(),
        toHost: z.string().nullable(),
        gapMs: z.number().nullable(),
      }),
    ),
    leaderlessMs: z.record(z.string(), z.number().min(0)),
    leaderChanges: z.record(z.string(), z.number().int().min(0)),
    etcdLeaderlessMs: z.number().min(0),
    etcdLeaderChanges: z.number().int().min(0),
    apiUnavailableMs: z.number().min(0).nullable(),
    restarts: z.record(z.string(), z.number().int().min(0)),
    schedulingDelaysMs: z.array(z.number().min(0)),
    unscheduledPods: z.number().int().min(0),
    lbSessions: z.record(z.string(), z.number().int().min(0)),
  }),
  inspections: z.array(z.strictObject({ atMs: z.number(), name: z.string().nullable(), on: z.string(), exec: z.string(), exitCode: z.number().int(), output: z.string() })),
  replay: z.string(),
});

function jsonOf(file: string, seed?: number): z.infer<typeof report> {
  const scenario = loadScenarioFile(`${ROOT}scenarios/${file}`);
  return report.parse(JSON.parse(runWithOutputs(scenario, seed === undefined ? {} : { seed }, ['json']).outputs.json!));
}

describe('json output', () => {
  it('failover-15s: seed, scenario, duration, faults as applied, no violations, leaders keyed by etcd and both leases', () => {
    const r = jsonOf('failover-15s.yaml');
    expect(r).toMatchObject({ seed: '1', scenario: 'failover-15s', durationMs: 60_000, violations: [], outcome: 'pass' });
    expect(r.faults).toEqual([{ atMs: 20_000, action: 'crash', target: 'server-0', detail: 'crash server-0', host: 'server-0' }]);
    expect(Object.keys(r.leaders).sort()).toEqual(['etcd', 'kube-system/kube-controller-manager', 'kube-system/kube-scheduler']);
    const sched = r.leaders['kube-system/kube-scheduler'] as Array<z.infer<typeof interval>>;
    expect(sched[0]).toMatchObject({ host: 'server-0', toMs: 20_000 });
    expect(sched[0]!.holder).toMatch(/^server-0_[0-9a-f-]{36}$/);
    expect(sched.at(-1)!.toMs).toBeNull();
    expect(r.leaders.etcd[0]!.term).toBe(2);
    expect(r.metrics.failovers.find((f) => f.lease === 'kube-system/kube-scheduler')!.gapMs).toBeGreaterThanOrEqual(13_000);
    expect(r.replay).toBe('kube-ha-sim run scenarios/failover-15s.yaml --seed 1'.replace('scenarios/', `${ROOT}scenarios/`));
  });

  it('a run with a violation reports it with time, hosts, seed and replay command', () => {
    const r = jsonOf('clock-jump-split-brain.yaml');
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ invariant: 'lease-exclusivity', seed: '1' });
    expect(r.violations[0]!.hosts).toHaveLength(2);
    expect(r.endMs).toBe(r.violations[0]!.atMs);
    expect(r.stopReason).toBe('violation: lease-exclusivity');
  });

  it('leader-targeted faults are reported as applied, with the host they hit', () => {
    const r = jsonOf('etcd-leader-crash.yaml');
    expect(r.plannedFaults[0]!.target).toBe('@leader:etcd/etcd');
    expect(r.faults[0]!.target).toMatch(/^server-[012]\/etcd$/);
    const leaderAt20 = r.leaders.etcd.find((i) => i.fromMs <= 20_000 && (i.toMs ?? Infinity) >= 20_000)!;
    expect(r.faults[0]!.target).toBe(`${leaderAt20.host}/etcd`);
  });
});
