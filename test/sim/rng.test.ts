import { describe, expect, it } from 'vitest';
import { Random, RngRoot } from '../../src/sim/rng';

const take = (r: Random, n: number): number[] => Array.from({ length: n }, () => r.float());

describe('RngRoot streams', () => {
  it('the same seed and name give the same sequence; another name or seed gives another', () => {
    const a = take(new RngRoot(42).stream('net/a>b'), 20);
    expect(take(new RngRoot(42).stream('net/a>b'), 20)).toEqual(a);
    expect(take(new RngRoot(42).stream('net/b>a'), 20)).not.toEqual(a);
    expect(take(new RngRoot(43).stream('net/a>b'), 20)).not.toEqual(a);
    expect(take(new RngRoot('42').stream('net/a>b'), 20)).toEqual(a); // a seed is its string form
  });

  it("a stream's draws do not depend on other streams, their creation order or their use", () => {
    const root1 = new RngRoot(7);
    const x1 = root1.stream('x');
    const seq1 = take(x1, 10);
    const root2 = new RngRoot(7);
    const y2 = root2.stream('y');
    take(y2, 1000);
    const x2 = root2.stream('x');
    take(y2, 3);
    expect(take(x2, 10)).toEqual(seq1);
  });

  it('asking for a stream again continues it (a restarted process does not repeat its draws)', () => {
    const root = new RngRoot(1);
    const first = take(root.stream('proc/h/p'), 5);
    const next = take(root.stream('proc/h/p'), 5);
    expect(next).not.toEqual(first);
    expect([...first, ...next]).toEqual(take(new RngRoot(1).stream('proc/h/p'), 10));
    expect(root.drawCounts()).toEqual([['proc/h/p', 10]]);
  });

  it('drawCounts lists streams sorted by name', () => {
    const root = new RngRoot(1);
    root.stream('b').float();
    root.stream('a').int(3);
    root.stream('a').normal(0, 1);
    expect(root.drawCounts()).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
  });
});

describe('Random', () => {
  const r = (): Random => new RngRoot('dist').stream('test');

  it('float is in [0, 1) and roughly uniform (mean within 4 sigma)', () => {
    const xs = take(r(), 20_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / xs.length));
  });

  it('int and intBetween stay in range and reach both ends', () => {
    const rng = r();
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) seen.add(rng.int(6));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const between = new Set<number>();
    for (let i = 0; i < 2_000; i++) between.add(rng.intBetween(-2, 2));
    expect([...between].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    expect(() => rng.int(0)).toThrow('Random.int: maxExclusive must be a positive integer, got 0');
    expect(() => rng.int(2.5)).toThrow(RangeError);
  });

  it('chance(0) and chance(1) draw nothing; chance(p) is true with probability p (4 sigma)', () => {
    const rng = r();
    expect(rng.chance(0)).toBe(false);
    expect(rng.chance(1)).toBe(true);
    expect(rng.draws).toBe(0);
    const n = 20_000;
    let hits = 0;
    for (let i = 0; i < n; i++) if (rng.chance(0.3)) hits++;
    expect(Math.abs(hits - n * 0.3)).toBeLessThan(4 * Math.sqrt(n * 0.3 * 0.7));
  });

  it('normal has the asked mean and standard deviation (4 sigma on the mean, 5% on the sd)', () => {
    const rng = r();
    const n = 20_000;
    const xs = Array.from({ length: n }, () => rng.normal(10, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
    expect(Math.abs(mean - 10)).toBeLessThan((4 * 2) / Math.sqrt(n));
    expect(Math.abs(sd - 2) / 2).toBeLessThan(0.05);
    expect(rng.draws).toBe(2 * n);
  });

  it('uniform, pick and uuid', () => {
    const rng = r();
    for (let i = 0; i < 100; i++) {
      const u = rng.uniform(5, 7);
      expect(u >= 5 && u < 7).toBe(true);
    }
    expect(['a', 'b', 'c']).toContain(rng.pick(['a', 'b', 'c']));
    expect(() => rng.pick([])).toThrow('Random.pick: empty list');
    const id = rng.uuid();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r().uuid()).toBe(new RngRoot('dist').stream('test').uuid());
  });
});
