import { describe, expect, it } from 'vitest';
import { incompleteBeta, lnGamma, studentTCdf, studentTQuantile } from '../../src/sweep/student-t';

describe('student-t', () => {
  it('lnGamma matches factorials and Γ(1/2) = √π', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(11)).toBeCloseTo(Math.log(3628800), 10);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });

  it('incomplete beta: closed forms I_x(1, b) = 1 - (1-x)^b and I_x(a, 1) = x^a', () => {
    expect(incompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - Math.pow(0.7, 4), 12);
    expect(incompleteBeta(0.6, 3, 1)).toBeCloseTo(Math.pow(0.6, 3), 12);
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
  });

  it('t CDF: symmetric, Cauchy for df = 1', () => {
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 14);
    expect(studentTCdf(1.3, 5) + studentTCdf(-1.3, 5)).toBeCloseTo(1, 14);
    // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π.
    expect(studentTCdf(2, 1)).toBeCloseTo(0.5 + Math.atan(2) / Math.PI, 12);
  });

  it('t quantiles match published tables (two-sided 95%)', () => {
    // Values from standard t tables.
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062047, 6);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.3026527, 6);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764451, 6);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.2281389, 6);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0422725, 6);
    expect(studentTQuantile(0.975, 999)).toBeCloseTo(1.9623415, 5);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.2281389, 6);
    expect(studentTQuantile(0.5, 3)).toBe(0);
  });

  it('rejects nonsense', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTCdf(1, 0)).toThrow(RangeError);
    expect(() => lnGamma(0)).toThrow(RangeError);
  });
});
