// `--set KEY=V1,V2,...` parsing and validation against the flags the scenario really has.
import { closest, distance } from 'fastest-levenshtein';
import type { SweepAxis } from './types';

/** A flag a sweep may set, as the scenario's runner describes it. */
export interface ParameterDef {
  /** `component.flag`: `kube-scheduler.--leader-elect-lease-duration`, `etcd.--election-timeout`, `haproxy.inter`. */
  readonly key: string;
  /** The value the scenario uses when the sweep does not set it (for help and reports). */
  readonly current?: string;
  /** Validates one value exactly as the scenario's own schema would; returns the error message or null. */
  validate(value: string): string | null;
}

export class SweepInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepInputError';
  }
}

/** Splits one `--set` argument into its key and values (no validation against a scenario yet). */
export function parseSetArgument(argument: string): SweepAxis {
  const eq = argument.indexOf('=');
  if (eq <= 0) {
    throw new SweepInputError(`--set ${JSON.stringify(argument)}: expected KEY=V1,V2,... (e.g. kube-scheduler.--leader-elect-lease-duration=15s,30s)`);
  }
  const key = argument.slice(0, eq).trim();
  const values = argument
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim());
  if (values.some((v) => v === '')) {
    throw new SweepInputError(`--set ${key}: empty value in ${JSON.stringify(argument.slice(eq + 1))}; list values separated by commas`);
  }
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new SweepInputError(`--set ${key}: value ${value} is listed twice`);
    seen.add(value);
  }
  return { key, values };
}

/**
 * The closest valid key when it is plausibly a typo (edit distance at most a third of its length), or, for a bare
 * flag without its component (`--leader-elect-lease-duration`), the keys that end with it.
 */
export function didYouMean(input: string, candidates: readonly string[]): string | null {
  if (candidates.length === 0) return null;
  const qualified = candidates.filter((c) => c.endsWith(`.${input}`));
  if (qualified.length > 0) return qualified.join(' or ');
  const best = closest(input, [...candidates]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(input, best) <= limit ? best : null;
}

/**
 * Checks every axis against the scenario's flags: the key must exist (else an error listing the valid keys,
 * with a did-you-mean), each value must pass the scenario's own validation, and no key may be swept twice.
 */
export function validateAxes(axes: readonly SweepAxis[], defs: readonly ParameterDef[]): SweepAxis[] {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const axis of axes) {
    if (seen.has(axis.key)) {
      problems.push(`--set ${axis.key}: set more than once; list all its values in one --set`);
      continue;
    }
    seen.add(axis.key);
    const def = byKey.get(axis.key);
    if (def === undefined) {
      const hint = didYouMean(axis.key, [...byKey.keys()]);
      problems.push(`--set ${axis.key}: unknown key${hint ? ` (did you mean ${hint}?)` : ''}`);
      continue;
    }
    for (const value of axis.values) {
      const error = def.validate(value);
      if (error !== null) problems.push(`--set ${axis.key}=${value}: ${error}`);
    }
  }
  if (problems.some((p) => p.includes(': unknown key'))) {
    problems.push(`valid keys for this scenario:\n${defs.map((d) => `  ${d.key}${d.current !== undefined ? ` (now ${d.current})` : ''}`).join('\n')}`);
  }
  if (problems.length > 0) throw new SweepInputError(problems.join('\n'));
  return axes.map((a) => ({ key: a.key, values: [...a.values] }));
}
