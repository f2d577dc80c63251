// Errors in scenario input, reported as `file:line:col: field: message` — the field named by its path in the
// document (`spec.faults[0].at`), the message saying what was expected and what was found, never a stack trace.
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { showValue } from './flags';

export type PathSegment = string | number;

export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** `spec.faults[0].at`; empty for the document itself. */
  readonly field: string;
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.field ? `${d.field}: ` : ''}${d.message}`;
}

/** Bad scenario input. The CLI prints `diagnostics` one per line and exits 2. */
export class ScenarioError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'ScenarioError';
  }
}

/** `spec.faults[0].at` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** ` (did you mean "x"?)` when a candidate is close enough, else ''. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const best = closest(input, candidates as string[]);
  const d = distance(input.toLowerCase(), best.toLowerCase());
  const limit = Math.max(2, Math.floor(Math.max(input.length, best.length) / 3));
  if (d <= limit) return ` (did you mean "${best}"?)`;
  // `interval` for `inter`, `fallcount` for `fall`: one name a prefix of the other
  const prefix = candidates.find((c) => Math.min(c.length, input.length) >= 3 && (input.startsWith(c) || c.startsWith(input)));
  return prefix !== undefined ? ` (did you mean "${prefix}"?)` : '';
}

/** A problem at a path of the document, before it is given a line and column. */
export interface PathProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** Point at the key of the last path segment rather than at its value (unknown fields). */
  readonly atKey?: boolean;
}

const KNOWN_KEYS_MARK = '\u0000known:';

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  null: 'null',
};

function typeWords(expected: string): string {
  return TYPE_WORDS[expected] ?? expected;
}

/** zod error map: a message in this project's words for each issue, while the input is still at hand. */
export const errorMap = (iss: z.core.$ZodRawIssue): string | undefined => {
  const input = iss.input;
  switch (iss.code) {
    case 'invalid_type':
      if (input === undefined) return `required field missing: expected ${typeWords(iss.expected)}`;
      if (iss.expected === 'int' && typeof input === 'number') return `expected a whole number, got ${input}`;
      return `expected ${typeWords(iss.expected)}, got ${showValue(input)}`;
    case 'invalid_value': {
      const values = iss.values.map((v) => JSON.stringify(v));
      const got = input === undefined ? 'required field missing: ' : '';
      const expected = values.length === 1 ? values[0] : `one of ${values.join(', ')}`;
      const hint = typeof input === 'string' && values.length > 1 ? didYouMean(input, iss.values.map(String)) : '';
      return `${got}expected ${expected}${input === undefined ? '' : `, got ${showValue(input)}`}${hint}`;
    }
    case 'too_small':
    case 'too_big': {
      const small = iss.code === 'too_small';
      const bound = small ? iss.minimum : iss.maximum;
      const incl = iss.inclusive !== false;
      const cmp = small ? (incl ? '>=' : '>') : incl ? '<=' : '<';
      switch (iss.origin) {
        case 'array':
          return `expected ${small ? 'at least' : 'at most'} ${String(bound)} item${Number(bound) === 1 ? '' : 's'}, got ${Array.isArray(input) ? input.length : '?'}`;
        case 'string':
          return small && Number(bound) === 1 ? 'expected a non-empty string' : `expected a string of ${small ? 'at least' : 'at most'} ${String(bound)} characters`;
        default:
          return `expected a number ${cmp} ${String(bound)}, got ${showValue(input)}`;
      }
    }
    case 'invalid_format': {
      const base = iss.message ?? `expected a ${iss.format}`;
      return `${base}, got ${showValue(input)}`;
    }
    case 'unrecognized_keys': {
      const def = (iss.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
      return KNOWN_KEYS_MARK + JSON.stringify(Object.keys(def?.shape ?? {}));
    }
    case 'invalid_union': {
      if (iss.note === 'No matching discriminator') {
        const options = ((iss as { options?: readonly unknown[] }).options ?? []).map(String);
        const list = options.join(', ');
        const key = (iss as { discriminator?: string }).discriminator;
        const value = key !== undefined && typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : input;
        if (value === undefined) return `required field missing: expected one of ${list}`;
        const hint = typeof value === 'string' ? didYouMean(value, options) : '';
        return `expected one of ${list}, got ${showValue(value)}${hint}`;
      }
      const expected: string[] = [];
      for (const branch of iss.errors) {
        const root = branch.find((b) => b.path.length === 0 && (b.code === 'invalid_type' || b.code === 'invalid_value'));
        if (root?.code === 'invalid_type') expected.push(typeWords(root.expected));
        else if (root?.code === 'invalid_value') expected.push(root.values.map((v) => JSON.stringify(v)).join(' or '));
      }
      const uniq = [...new Set(expected)];
      if (input === undefined) return `required field missing: expected ${uniq.join(' or ') || 'a value'}`;
      return `expected ${uniq.join(' or ') || 'a different value'}, got ${showValue(input)}`;
    }
    case 'invalid_key':
      return `invalid key ${showValue(input)}`;
    case 'invalid_element':
      return `invalid entry ${showValue(input)}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(iss.divisor)}, got ${showValue(input)}`;
    case 'custom':
      return iss.message;
    default:
      return undefined;
  }
};

type FinalIssue = z.core.$ZodIssue;

/** Turns zod's issues into path problems: unions are opened at their most promising branch, unknown keys get a "did you mean". */
export function issuesToProblems(issues: readonly FinalIssue[], base: readonly PathSegment[] = []): PathProblem[] {
  const out: PathProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      const known: string[] = issue.message.startsWith(KNOWN_KEYS_MARK) ? (JSON.parse(issue.message.slice(KNOWN_KEYS_MARK.length)) as string[]) : [];
      for (const key of issue.keys) {
        const expected = known.length > 0 && known.length <= 12 ? `; expected one of: ${known.join(', ')}` : '';
        const hint = didYouMean(key, known);
        out.push({ path: [...path, key], message: `unknown field "${key}"${hint || expected}`, atKey: true });
      }
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0 && (issue as { note?: string }).note === undefined) {
      const branch = bestBranch(issue.errors);
      if (branch !== null) {
        out.push(...issuesToProblems(branch, path));
        continue;
      }
    }
    out.push({ path, message: issue.message });
  }
  return dropMissingExplainedByTypos(out);
}

/** The branch that got furthest (its type matched and the problems are inside), or null if every branch failed on type. */
function bestBranch(branches: ReadonlyArray<readonly FinalIssue[]>): readonly FinalIssue[] | null {
  let best: readonly FinalIssue[] | null = null;
  let bestScore = 0;
  for (const branch of branches) {
    const typeMismatch = branch.some((b) => b.path.length === 0 && (b.code === 'invalid_type' || (b.code === 'invalid_value' && branch.length === 1)));
    if (typeMismatch) continue;
    const score = 1 + Math.max(0, ...branch.map((b) => b.path.length)) - branch.length / 1000;
    if (score > bestScore) {
      bestScore = score;
      best = branch;
    }
  }
  return best;
}

/** `targt: x` reports both "unknown field targt (did you mean target?)" and "target: required field missing": keep the first. */
function dropMissingExplainedByTypos(problems: PathProblem[]): PathProblem[] {
  const suggested = new Set<string>();
  for (const p of problems) {
    const m = /did you mean "([^"]+)"/.exec(p.message);
    if (p.atKey && m) suggested.add(JSON.stringify([...p.path.slice(0, -1), m[1]]));
  }
  if (suggested.size === 0) return problems;
  return problems.filter((p) => !(p.message.startsWith('required field missing') && suggested.has(JSON.stringify(p.path))));
}
