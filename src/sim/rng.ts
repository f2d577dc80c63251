// Seeded randomness. A run has one seed; every host, process and component draws from its own named stream
// derived from it (`seed|name`), so adding a component never shifts the draws of the others.
//
// The generator is Johannes Baagøe's Alea, exactly as seedrandom's `alea` computes it (the same numbers for the
// same seed; test/sim/rng.test.ts compares them), kept inline in Random: a draw is a few multiplications on the
// stream's own fields instead of two closure calls (draws are on every message's path: latency, loss).

export type Seed = number | string;

/** 2^-32 */
const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

/** Baagøe's Mash hash, as seedrandom's alea uses it to seed: `n` carries over between calls. */
class Mash {
  private n = 0xefc8249d;

  hash(data: string): number {
    let n = this.n;
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000; // 2^32
    }
    this.n = n;
    return (n >>> 0) * TWO_POW_MINUS_32;
  }
}

export class Random {
  /** Number of values drawn so far: a cheap fingerprint when comparing two runs. */
  draws = 0;
  // Alea's state.
  private s0: number;
  private s1: number;
  private s2: number;
  private c = 1;

  /** The stream seeded with `seed` (seedrandom.alea(seed)). */
  constructor(
    readonly name: string,
    seed: string,
  ) {
    const mash = new Mash();
    let s0 = mash.hash(' ');
    let s1 = mash.hash(' ');
    let s2 = mash.hash(' ');
    s0 -= mash.hash(seed);
    if (s0 < 0) s0 += 1;
    s1 -= mash.hash(seed);
    if (s1 < 0) s1 += 1;
    s2 -= mash.hash(seed);
    if (s2 < 0) s2 += 1;
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
  }

  /** Uniform in [0, 1). */
  float(): number {
    this.draws++;
    const t = 2091639 * this.s0 + this.c * TWO_POW_MINUS_32;
    this.s0 = this.s1;
    this.s1 = this.s2;
    return (this.s2 = t - (this.c = t | 0));
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    if (!(maxExclusive >= 1) || !Number.isInteger(maxExclusive)) {
      throw new RangeError(`Random.int: maxExclusive must be a positive integer, got ${maxExclusive}`);
    }
    return Math.floor(this.float() * maxExclusive);
  }

  /** Uniform integer in [min, maxInclusive]. */
  intBetween(min: number, maxInclusive: number): number {
    return min + this.int(maxInclusive - min + 1);
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** True with probability p. Draws nothing when p is 0 or 1, so a disabled fault costs no draw. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.float() < p;
  }

  /** Normal distribution (Box-Muller; one value per two draws, no caching so draws stay countable). */
  normal(mean: number, stddev: number): number {
    const u1 = 1 - this.float(); // (0, 1]
    const u2 = this.float();
    return mean + stddev * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Random.pick: empty list');
    return items[this.int(items.length)]!;
  }

  /** A random (version 4) UUID, as `uuid.New()` prints it: 8-4-4-4-12 lowercase hex. */
  uuid(): string {
    const hex: string[] = [];
    for (let i = 0; i < 16; i++) {
      let byte = this.int(256);
      if (i === 6) byte = (byte & 0x0f) | 0x40;
      if (i === 8) byte = (byte & 0x3f) | 0x80;
      hex.push(byte.toString(16).padStart(2, '0'));
    }
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

/** The root of a run's randomness: hands out one stream per name. */
export class RngRoot {
  private readonly streams = new Map<string, Random>();

  constructor(readonly seed: Seed) {}

  /**
   * The stream for `name`, created on first use. Asking again for the same name continues the same stream
   * (a restarted process keeps drawing where its previous incarnation stopped, so it does not repeat its draws).
   */
  stream(name: string): Random {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      stream = new Random(name, `${this.seed}|${name}`);
      this.streams.set(name, stream);
    }
    return stream;
  }

  /** Draw counts per stream name, sorted by name: used to show which streams two runs share. */
  drawCounts(): Array<[string, number]> {
    return [...this.streams.entries()].map(([name, r]): [string, number] => [name, r.draws]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}
