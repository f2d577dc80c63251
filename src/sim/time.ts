// Simulated time. Every instant and duration in the simulator is an integer number of microseconds,
// and every name that holds one carries the unit (`nowUs`, `latencyUs`, `leaseDurationMs`).

export const US_PER_MS = 1_000;
export const US_PER_S = 1_000_000;
export const US_PER_MIN = 60 * US_PER_S;
export const US_PER_H = 60 * US_PER_MIN;

export function msToUs(ms: number): number {
  return Math.round(ms * US_PER_MS);
}

export function sToUs(s: number): number {
  return Math.round(s * US_PER_S);
}

export function usToMs(us: number): number {
  return us / US_PER_MS;
}

const UNIT_US: Readonly<Record<string, number>> = {
  us: 1,
  µs: 1,
  ms: US_PER_MS,
  s: US_PER_S,
  m: US_PER_MIN,
  h: US_PER_H,
};

/** A duration string as Go's time.ParseDuration accepts for the units we use: `100ms`, `15s`, `2m`, `1h30m`, `1.5s`, `-1h`. */
const DURATION_RE = /^([+-])?((?:\d+(?:\.\d*)?|\.\d+)(?:us|µs|ms|s|m|h))+$/;
const PART_RE = /(\d+(?:\.\d*)?|\.\d+)(us|µs|ms|s|m|h)/g;

export class DurationSyntaxError extends Error {
  constructor(readonly input: string) {
    super(`invalid duration "${input}": expected a number with a unit, e.g. 100ms, 15s, 2m, 1h30m`);
  }
}

/** Parses a duration string into integer microseconds. Throws DurationSyntaxError on bad input. */
export function parseDurationUs(input: string): number {
  const text = input.trim();
  if (text === '0') return 0;
  if (!DURATION_RE.test(text)) throw new DurationSyntaxError(input);
  let totalUs = 0;
  for (const match of text.matchAll(PART_RE)) {
    totalUs += Number(match[1]) * UNIT_US[match[2]!]!;
  }
  return Math.round(text.startsWith('-') ? -totalUs : totalUs);
}

/** Formats a duration like Go's time.Duration.String(): `1.5s`, `100ms`, `2m0s`, `1h0m0s`, `0s`. */
export function formatDurationUs(us: number): string {
  if (us === 0) return '0s';
  const sign = us < 0 ? '-' : '';
  let rest = Math.abs(us);
  if (rest < US_PER_MS) return `${sign}${rest}µs`;
  if (rest < US_PER_S) return `${sign}${trimFraction(rest / US_PER_MS)}ms`;
  let out = '';
  if (rest >= US_PER_H) {
    out += `${Math.floor(rest / US_PER_H)}h`;
    rest %= US_PER_H;
  }
  if (out !== '' || rest >= US_PER_MIN) {
    out += `${Math.floor(rest / US_PER_MIN)}m`;
    rest %= US_PER_MIN;
  }
  out += `${trimFraction(rest / US_PER_S)}s`;
  return sign + out;
}

function trimFraction(value: number): string {
  return Number(value.toFixed(6)).toString();
}

/** Seconds with millisecond precision, as the timelines print them: `20.000s`. */
export function formatSimTime(us: number): string {
  return `${(us / US_PER_S).toFixed(3)}s`;
}
