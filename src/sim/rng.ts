// Seeded randomness. A run has one seed; every host, process and component draws from its own named stream
// derived from it (`seed|name`), so adding a component never shifts the draws of the others.
import seedrandom from 'seedrandom';

export type Seed = number | string;

export class Random {
  /** Number of values drawn so far: a cheap fingerprint when comparing two runs. */
  draws = 0;

  constructor(
    readonly name: string,
    private readonly source: () => number,
  ) {}

  /** Uniform in [0, 1). */
  float(): number {
    this.draws++;
    return this.source();
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
      stream = new Random(name, seedrandom.alea(`${this.seed}|${name}`));
      this.streams.set(name, stream);
    }
    return stream;
  }

  /** Draw counts per stream name, sorted by name: used to show which streams two runs share. */
  drawCounts(): Array<[string, number]> {
    return [...this.streams.entries()].map(([name, r]): [string, number] => [name, r.draws]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}
