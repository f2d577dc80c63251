// The benchmark runner behind `npm run bench`:
//   npm run bench                      every suite
//   npm run bench -- engine sweep      only the suites named (or whose name contains the words given)
//   npm run bench -- --json            JSON instead of the table
//   npm run bench -- --quick           short repetitions: a smoke run, rough numbers
//   npm run bench -- --check           exit 1 if a figure misses its target
//   npm run bench -- --list            the suites and what they measure
// Numbers depend on the machine and its load: run on a quiet machine, and compare medians, not single runs.
import { argv, exit, stdout } from 'node:process';
import { meets, type BenchResult, type BenchSuite } from './suite';

/** Every suite: its name and its module (a file src/bench/<name>.ts exporting `suite`). One line each. */
const SUITES: ReadonlyArray<readonly [string, () => Promise<{ suite: BenchSuite }>]> = [
  ['engine', () => import('./engine')],
  ['sweep', () => import('./sweep')],
  ['raft', () => import('./raft')],
  ['check', () => import('./check')],
  ['apiserver', () => import('./apiserver')],
  ['scenario', () => import('./scenario')],
  ['events', () => import('./events')],
];

interface Args {
  readonly filters: string[];
  readonly json: boolean;
  readonly quick: boolean;
  readonly check: boolean;
  readonly list: boolean;
}

function parseArgs(args: readonly string[]): Args {
  const filters: string[] = [];
  let json = false;
  let quick = false;
  let check = false;
  let list = false;
  for (const arg of args) {
    if (arg === '--json') json = true;
    else if (arg === '--quick') quick = true;
    else if (arg === '--check') check = true;
    else if (arg === '--list') list = true;
    else if (arg === '--help' || arg === '-h') {
      stdout.write('usage: npm run bench -- [suite ...] [--json] [--quick] [--check] [--list]\n');
      exit(0);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg} (expected --json, --quick, --check, --list)`);
    else filters.push(arg);
  }
  return { filters, json, quick, check, list };
}

class UsageError extends Error {}

interface SuiteReport {
  readonly suite: string;
  readonly results: readonly BenchResult[];
}

export async function main(args: readonly string[]): Promise<number> {
  let options: Args;
  try {
    options = parseArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n`);
    return 2;
  }
  const selected = SUITES.filter(([name]) => options.filters.length === 0 || options.filters.some((f) => name === f || name.includes(f)));
  if (selected.length === 0) {
    process.stderr.write(`bench: no suite matches ${options.filters.join(' ')} (suites: ${SUITES.map(([n]) => n).join(', ')})\n`);
    return 2;
  }
  if (options.list) {
    for (const [name, load] of selected) stdout.write(`${name.padEnd(12)} ${(await load()).suite.description}\n`);
    return 0;
  }
  const reports: SuiteReport[] = [];
  for (const [name, load] of selected) {
    const { suite } = await load();
    if (!options.json) stdout.write(`running ${name}${options.quick ? ' (quick)' : ''} ...\n`);
    reports.push({ suite: name, results: await suite.run({ quick: options.quick }) });
  }
  stdout.write(options.json ? `${JSON.stringify({ quick: options.quick, node: process.version, suites: reports }, null, 2)}\n` : formatTable(reports));
  const missed = reports.flatMap((r) => r.results.filter((x) => x.target !== undefined && !meets(x.value, x.target)));
  return options.check && missed.length > 0 ? 1 : 0;
}

/** A fixed-width table: suite, benchmark, median, unit, spread of the repetitions, target, note. */
export function formatTable(reports: readonly SuiteReport[]): string {
  const rows: string[][] = [['suite', 'benchmark', 'median', 'unit', 'min .. max', 'per CPU-s', 'target', 'note']];
  for (const report of reports) {
    for (const r of report.results) {
      const spread = r.samples && r.samples.length > 1 ? `${formatNumber(Math.min(...r.samples))} .. ${formatNumber(Math.max(...r.samples))}` : '';
      const target = r.target ? `${r.target.op} ${formatNumber(r.target.value)} ${meets(r.value, r.target) ? 'ok' : 'MISSED'}` : '';
      const cpu = r.perCpuSecond !== undefined ? formatNumber(r.perCpuSecond) : '';
      rows.push([report.suite, r.name, formatNumber(r.value), r.unit, spread, cpu, target, r.note ?? '']);
    }
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const numeric = new Set([2, 5]);
  return `${rows
    .map((row, i) => {
      const line = row.map((cell, col) => (numeric.has(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!))).join('  ').trimEnd();
      return i === 0 ? `${line}\n${'-'.repeat(line.length)}` : line;
    })
    .join('\n')}\n`;
}

/** 2,345,678 -> "2.35M"; 1234 -> "1,234"; 2.345 -> "2.35". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  return value.toFixed(2);
}

if (import.meta.url === `file://${argv[1]}` || argv[1]?.endsWith('src/bench/main.ts')) {
  main(argv.slice(2)).then(
    (code) => exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      exit(1);
    },
  );
}
