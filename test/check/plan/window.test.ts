import { describe, expect, it } from 'vitest';
import { describeWindow, toFaultPlan, type FaultWindow } from '../../../src/check/plan/window';

describe('toFaultPlan', () => {
  it('gives every window its end, in time order', () => {
    const windows: FaultWindow[] = [
      { kind: 'partition', atUs: 5_000_000, shape: { type: 'isolate', host: 'server-0' }, durationUs: 3_000_000 },
      { kind: 'crash', atUs: 1_000_000, target: { host: 'server-1', process: 'etcd' }, downUs: 2_000_000 },
      { kind: 'loss', atUs: 2_000_000, from: 'server-2', to: '*', lossRate: 0.3, durationUs: 1_000_000 },
      { kind: 'pause', atUs: 4_000_000, target: { host: '@leader:kube-system/kube-scheduler', process: 'kube-scheduler' }, durationUs: 20_000_000 },
      { kind: 'clock-drift', atUs: 0, host: 'server-2', driftPpm: -500 },
    ];
    const plan = toFaultPlan(windows, 60_000_000);
    expect(plan.map((s) => [s.atUs, s.fault.kind])).toEqual([
      [0, 'clock-drift'],
      [1_000_000, 'restart'],
      [2_000_000, 'link'],
      [3_000_000, 'clear-link'],
      [4_000_000, 'pause'],
      [5_000_000, 'isolate'],
      [8_000_000, 'heal'],
    ]);
    expect(plan[1]!.fault).toEqual({ kind: 'restart', host: 'server-1', process: 'etcd', downUs: 2_000_000 });
    expect(plan[3]!.fault).toEqual({ kind: 'clear-link', from: 'server-2', to: '*' });
  });

  it('ends every window by the end of the safety phase, and drops windows starting after it', () => {
    const windows: FaultWindow[] = [
      { kind: 'pause', atUs: 8_000_000, target: { host: 'server-0' }, durationUs: 30_000_000 },
      { kind: 'partition', atUs: 9_000_000, shape: { type: 'cut', from: 'server-0', to: 'lb' }, durationUs: 30_000_000 },
      { kind: 'crash', atUs: 11_000_000, target: { host: 'server-0' }, downUs: 1 },
    ];
    const plan = toFaultPlan(windows, 10_000_000);
    expect(plan).toEqual([
      { atUs: 8_000_000, fault: { kind: 'pause', host: 'server-0', durationUs: 2_000_000 } },
      { atUs: 9_000_000, fault: { kind: 'cut', from: 'server-0', to: 'lb' } },
      { atUs: 10_000_000, fault: { kind: 'heal' } },
    ]);
  });

  it('cuts every other host off one way for inbound/outbound isolation', () => {
    const plan = toFaultPlan([{ kind: 'partition', atUs: 1_000_000, shape: { type: 'inbound', host: 'b' }, durationUs: 2_000_000 }], 60_000_000, ['a', 'b', 'c']);
    expect(plan).toEqual([
      { atUs: 1_000_000, fault: { kind: 'cut', from: 'a', to: 'b' } },
      { atUs: 1_000_000, fault: { kind: 'cut', from: 'c', to: 'b' } },
      { atUs: 3_000_000, fault: { kind: 'heal' } },
    ]);
    expect(() => toFaultPlan([{ kind: 'partition', atUs: 0, shape: { type: 'outbound', host: 'b' }, durationUs: 1 }], 10)).toThrow(/needs the cluster's host names/);
  });

  it('describes windows in one line', () => {
    expect(describeWindow({ kind: 'pause', atUs: 4_000_000, target: { host: 'server-0', process: 'kube-scheduler' }, durationUs: 20_000_000 })).toBe(
      't=4.000s pause server-0/kube-scheduler for 20s',
    );
    expect(describeWindow({ kind: 'clock-jump', atUs: 0, host: 'server-1', deltaUs: -3_600_000_000, monotonic: true })).toBe('t=0.000s clock-jump server-1 -1h0m0s (monotonic too)');
  });
});
