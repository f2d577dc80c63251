// HAProxy's health counter against the rules documented in configuration.txt ("fall", "rise", "inter",
// "fastinter", "downinter") and implemented in src/check.c.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HealthCounter } from '../../src/lb/health';

const timing = (rise: number, fall: number, inter = 2_000_000, fastinter = 0, downinter = 0) => ({ interUs: inter, fastinterUs: fastinter, downinterUs: downinter, rise, fall });

describe('HealthCounter', () => {
  it('starts UP with health = rise, so a single failure marks it DOWN (init-state up)', () => {
    const c = new HealthCounter(timing(2, 3));
    expect(c.state).toBe('UP');
    expect(c.health).toBe(2);
    expect(c.record(false)).toEqual({ changed: true, state: 'DOWN', reported: true });
    expect(c.health).toBe(0);
  });

  it('init-state down starts DOWN with health 0', () => {
    const c = new HealthCounter(timing(2, 3), 'down');
    expect(c.state).toBe('DOWN');
    expect(c.record(true).changed).toBe(false);
    expect(c.record(true)).toEqual({ changed: true, state: 'UP', reported: true });
  });

  it('from fully UP, exactly `fall` consecutive failures mark the server DOWN', () => {
    for (const fall of [1, 2, 3, 5]) {
      const c = new HealthCounter(timing(2, fall));
      c.record(true); // fully up
      expect(c.health).toBe(2 + fall - 1);
      for (let i = 1; i < fall; i++) expect(c.record(false).changed).toBe(false);
      expect(c.record(false)).toMatchObject({ changed: true, state: 'DOWN' });
    }
  });

  it('from DOWN, exactly `rise` consecutive successes mark it UP, and health jumps to rise+fall-1', () => {
    for (const rise of [1, 2, 4]) {
      const c = new HealthCounter(timing(rise, 3), 'down');
      for (let i = 1; i < rise; i++) expect(c.record(true).changed).toBe(false);
      expect(c.record(true)).toMatchObject({ changed: true, state: 'UP' });
      expect(c.health).toBe(rise + 3 - 1);
    }
  });

  it('a success in the middle of failures resets to fully UP (the counter jumps)', () => {
    const c = new HealthCounter(timing(2, 3));
    c.record(true);
    c.record(false);
    c.record(false);
    expect(c.state).toBe('UP');
    c.record(true);
    expect(c.health).toBe(4);
    c.record(false);
    c.record(false);
    expect(c.state).toBe('UP');
    expect(c.record(false).changed).toBe(true);
  });

  it('interval: inter when fully UP, fastinter while transitional or unchecked, downinter when fully DOWN', () => {
    const c = new HealthCounter(timing(2, 3, 2_000_000, 500_000, 10_000_000));
    expect(c.intervalUs()).toBe(500_000); // unchecked (health = rise)
    c.record(true);
    expect(c.intervalUs()).toBe(2_000_000);
    c.record(false);
    expect(c.intervalUs()).toBe(500_000); // going down
    c.record(false);
    c.record(false);
    expect(c.state).toBe('DOWN');
    expect(c.intervalUs()).toBe(10_000_000);
    c.record(true);
    expect(c.intervalUs()).toBe(500_000); // going up
    const plain = new HealthCounter(timing(2, 3));
    plain.record(false);
    expect(plain.intervalUs()).toBe(2_000_000); // downinter and fastinter fall back to inter
  });

  it('status text follows log-health-checks ("status: 2/3 UP", "1/2 DOWN")', () => {
    const c = new HealthCounter(timing(2, 3));
    c.record(true);
    expect(c.statusText()).toBe('3/3 UP');
    c.record(false);
    expect(c.statusText()).toBe('2/3 UP');
    c.record(false);
    c.record(false);
    expect(c.statusText()).toBe('0/2 DOWN');
    c.record(true);
    expect(c.statusText()).toBe('1/2 DOWN');
  });

  it('property: the state is DOWN iff the last state change came after `fall` failures in a row from UP (model check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.boolean(), { maxLength: 60 }), (rise, fall, results) => {
        const c = new HealthCounter(timing(rise, fall));
        // Reference model written from the documentation, not from the implementation.
        let up = true;
        // At start (health = rise) one failure suffices: as if fall-1 failures had been seen.
        let failures = fall - 1;
        let successes = 0;
        for (const ok of results) {
          c.record(ok);
          if (up) {
            if (ok) failures = 0;
            else if (++failures >= fall) {
              up = false;
              successes = 0;
            }
          } else if (ok) {
            if (++successes >= rise) {
              up = true;
              failures = 0;
            }
          } else successes = 0;
          expect(c.state).toBe(up ? 'UP' : 'DOWN');
        }
      }),
    );
  });
});
