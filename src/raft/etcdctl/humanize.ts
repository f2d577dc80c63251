// github.com/dustin/go-humanize Bytes (SI units, base 1000), as etcdctl prints DB SIZE: "20 kB", "1.2 MB", "9 B".

const SIZES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** Go's %.Nf: exact halves round to even (fmt uses the shortest exact decimal; .5 ties at one decimal are exact). */
function formatFixed(value: number, digits: number): string {
  const scale = 10 ** digits;
  const scaled = value * scale;
  const floor = Math.floor(scaled);
  if (scaled - floor === 0.5) return ((floor % 2 === 0 ? floor : floor + 1) / scale).toFixed(digits);
  return value.toFixed(digits);
}

/** humanize.Bytes. */
export function humanizeBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const e = Math.floor(Math.log(bytes) / Math.log(1000));
  const suffix = SIZES[e]!;
  const val = Math.floor((bytes / 1000 ** e) * 10 + 0.5) / 10;
  return `${formatFixed(val, val < 10 ? 1 : 0)} ${suffix}`;
}
