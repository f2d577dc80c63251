import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../../src/check/property';
import { summaryLine } from '../../../src/check/report/format';

const report: CheckReport = { runs: 24, faultsInjected: 42, simulatedUs: 1_443_353_189, events: 1, linearizabilityUnknown: 0, failure: null };

describe('summaryLine', () => {
  it('gives runs, faults, the time taken and the rate, the simulated time to the millisecond', () => {
    expect(summaryLine(report, 2_087)).toBe('runs: 24, faults injected: 42, time: 2.1s (11.5 runs/s, 24m3.353s simulated)');
  });

  it('names the workers when the search ran on more than one', () => {
    expect(summaryLine(report, 2_087, 2)).toBe('runs: 24, faults injected: 42, time: 2.1s on 2 workers (11.5 runs/s, 24m3.353s simulated)');
    expect(summaryLine(report, 2_087, 1)).toBe(summaryLine(report, 2_087));
  });
});
