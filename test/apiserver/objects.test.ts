// The metav1.Time / MicroTime formatters and the parser compute dates without Date objects (a hot path): they must
// give exactly what the Date-based definitions give, for every time, including day, month and leap-year edges.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatMicroTime, formatTime, parseTimeUs } from '../../src/apiserver/objects';

/** The definitions: RFC 3339 from Date.toISOString. */
function referenceTime(wallUs: number): string {
  return `${new Date(Math.floor(wallUs / 1_000_000) * 1000).toISOString().slice(0, 19)}Z`;
}

function referenceMicroTime(wallUs: number): string {
  const seconds = Math.floor(wallUs / 1_000_000);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(wallUs - seconds * 1_000_000).padStart(6, '0')}Z`;
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

function referenceParseUs(text: string): number {
  const m = TIME_RE.exec(text)!;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return ms * 1000 + (m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1_000_000 + 1e-6));
}

const DAY_US = 86_400_000_000;

/** Integers in [0, maxUs] (fc.integer is 32-bit: two of them make one µs time). */
function upTo(maxUs: number): fc.Arbitrary<number> {
  return fc.tuple(fc.nat({ max: Math.floor(maxUs / 1e9) }), fc.nat({ max: 999_999_999 })).map(([high, low]) => Math.min(maxUs, high * 1e9 + low));
}

/** Unix µs from 1970 to past year 10000 (where toISOString switches to a signed 6-digit year). */
const wallUs = fc.oneof(
  upTo(253_500_000_000_000_000),
  // the last and first microsecond of random days
  fc.nat({ max: 2_934_000 }).chain((day) => fc.constantFrom(day * DAY_US, day * DAY_US - 1)),
  // before 1970 (handed to Date)
  upTo(62_000_000_000_000_000).map((us) => -us),
);

describe('time formats', () => {
  it('formatTime and formatMicroTime print what Date.toISOString prints', () => {
    fc.assert(
      fc.property(wallUs, (us) => {
        expect(formatTime(us)).toBe(referenceTime(us));
        expect(formatMicroTime(us)).toBe(referenceMicroTime(us));
      }),
      { numRuns: 5000 },
    );
  });

  it('known dates: leap days, century rules, the year 9999', () => {
    expect(formatMicroTime(Date.UTC(2024, 1, 29, 23, 59, 59) * 1000 + 7)).toBe('2024-02-29T23:59:59.000007Z');
    expect(formatTime(Date.UTC(2000, 1, 29, 12) * 1000)).toBe('2000-02-29T12:00:00Z');
    expect(formatTime(Date.UTC(2100, 2, 1) * 1000 - 1)).toBe('2100-02-28T23:59:59Z');
    expect(formatTime(253_402_300_799_000_000)).toBe('9999-12-31T23:59:59Z');
  });

  // Up to MAX_SAFE_INTEGER µs (the year 2255): beyond it µs times are not exact integers and do not read back.
  it('parseTimeUs reads back both forms, and any fraction of 1 to 9 digits, as the RFC 3339 pattern does', () => {
    fc.assert(
      fc.property(upTo(Number.MAX_SAFE_INTEGER), fc.integer({ min: 1, max: 9 }), fc.nat({ max: 999_999_999 }), (us, fractionDigits, fraction) => {
        expect(parseTimeUs(formatMicroTime(us))).toBe(us);
        expect(parseTimeUs(formatTime(us))).toBe(Math.floor(us / 1_000_000) * 1_000_000);
        const text = `${formatTime(us).slice(0, 19)}.${String(fraction % 10 ** fractionDigits).padStart(fractionDigits, '0')}Z`;
        expect(parseTimeUs(text)).toBe(referenceParseUs(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('parseTimeUs: out-of-range fields roll over as Date.UTC does; malformed text is an error', () => {
    for (const text of ['2025-13-40T25:61:61Z', '0099-00-00T00:00:00Z', '9999-99-99T99:99:99.999999Z']) expect(parseTimeUs(text)).toBe(referenceParseUs(text));
    for (const text of ['2025-01-01T00:00:00.Z', '2025-01-01T00:00:00', '2025-01-01 00:00:00Z', '2025-1-01T00:00:00Z', '2025-01-01T00:00:00.1234567890Z', '2025-01-0xT00:00:00Z']) {
      expect(() => parseTimeUs(text)).toThrow(`parsing time "${text}": expected RFC 3339 in UTC`);
    }
  });
});
