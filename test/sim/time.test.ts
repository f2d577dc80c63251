import { describe, expect, it } from 'vitest';
import { DurationSyntaxError, formatDurationUs, formatSimTime, msToUs, parseDurationUs, sToUs, usToMs } from '../../src/sim/time';

describe('durations', () => {
  it('parses Go duration strings into integer microseconds', () => {
    const cases: Array<[string, number]> = [
      ['0', 0],
      ['100ms', 100_000],
      ['15s', 15_000_000],
      ['2m', 120_000_000],
      ['1h30m', 5_400_000_000],
      ['1.5s', 1_500_000],
      ['.5s', 500_000],
      ['-1h', -3_600_000_000],
      ['+2s', 2_000_000],
      ['250us', 250],
      ['250µs', 250],
      ['1m0.1s', 60_100_000],
    ];
    for (const [text, us] of cases) expect(parseDurationUs(text), text).toBe(us);
  });

  it('rejects anything else with a clear message', () => {
    for (const bad of ['', '10', 's', '1.2.3s', '5 s', '1d', '--1s', 'ms5']) {
      expect(() => parseDurationUs(bad), bad).toThrow(DurationSyntaxError);
    }
    expect(() => parseDurationUs('10')).toThrow('invalid duration "10": expected a number with a unit, e.g. 100ms, 15s, 2m, 1h30m');
  });

  it("formats like Go's time.Duration.String()", () => {
    const cases: Array<[number, string]> = [
      [0, '0s'],
      [1, '1µs'],
      [1_500, '1.5ms'],
      [100_000, '100ms'],
      [1_500_000, '1.5s'],
      [120_000_000, '2m0s'],
      [3_600_000_000, '1h0m0s'],
      [5_430_500_000, '1h30m30.5s'],
      [-250_000, '-250ms'],
    ];
    for (const [us, text] of cases) expect(formatDurationUs(us), text).toBe(text);
  });

  it('round-trips through format and parse', () => {
    for (const us of [1, 999, 1_000, 1_234_567, 61_000_000, 3_600_000_001, -42_000]) expect(parseDurationUs(formatDurationUs(us))).toBe(us);
  });

  it('converts units and prints simulated time', () => {
    expect(msToUs(1.5)).toBe(1_500);
    expect(sToUs(0.25)).toBe(250_000);
    expect(usToMs(2_500)).toBe(2.5);
    expect(formatSimTime(20_000_000)).toBe('20.000s');
    expect(formatSimTime(1_234_567)).toBe('1.235s');
  });
});
