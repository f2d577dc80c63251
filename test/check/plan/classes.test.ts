import { describe, expect, it } from 'vitest';
import { CheckInputError, parseFaultClasses } from '../../../src/check/plan/classes';

describe('parseFaultClasses', () => {
  it('parses classes and groups, in canonical order, without duplicates', () => {
    expect(parseFaultClasses('partition,crash, loss')).toEqual(['crash', 'partition', 'loss']);
    expect(parseFaultClasses('clock,pause,clock-jump')).toEqual(['pause', 'clock-jump', 'clock-skew', 'clock-drift']);
  });

  it('names an unknown class, with a suggestion', () => {
    expect(() => parseFaultClasses('crash,paus')).toThrow(CheckInputError);
    expect(() => parseFaultClasses('crash,paus')).toThrow('--faults: unknown fault class "paus" (did you mean "pause"?)');
    expect(() => parseFaultClasses(' , ')).toThrow(/expected a comma-separated list/);
  });
});
