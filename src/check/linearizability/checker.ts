// A linearizability checker in the manner of porcupine (Anish Athalye) -- Wing & Gong's search with Lowe's
// just-in-time linearization and memoisation of (linearized set, model state) -- ported to TypeScript.
//
// The history's call and return entries are laid out in time order in a doubly linked list (typed arrays, no
// objects per entry). The search walks the list from the head: at a call entry it tries to linearize that
// operation now (the model accepts its output from the current state); if it can, and the pair (set of operations
// linearized so far, new state) has not been explored before, the operation is lifted out of the list (its call
// and return entries unlinked) and the walk restarts from the head. Reaching a return entry means that operation
// can no longer be linearized later than everything before it, so the search backtracks: it undoes the last
// linearization and tries the next candidate. An empty backtrack stack means no linearization exists.
// Histories are first split into independent partitions (P-compositionality: per key for a KV store), each
// searched on its own.
//
// The search is bounded by a budget of steps (one step = one entry visited), never by wall-clock time, so a
// result is a pure function of the history: 'ok', 'illegal', or 'unknown' when a partition ran out of budget.
import { formatSimTime } from '../../sim/time';
import type { Operation } from './history';
import { UNKNOWN_RETURN_US, validateHistory } from './history';
import { mix32, type Model } from './model';

export interface CheckOptions {
  /** Search steps allowed for one partition before it gives up ('unknown'). Default 2,000,000. */
  readonly maxStepsPerPartition?: number;
  /** Search steps allowed for the whole history. Default 20,000,000. */
  readonly maxSteps?: number;
  /** Formats a time in reports. Default: simulated seconds (`1.250s`). */
  readonly formatTime?: (us: number) => string;
}

export const DEFAULT_MAX_STEPS_PER_PARTITION = 2_000_000;
export const DEFAULT_MAX_STEPS = 20_000_000;

/** One step of a partial linearization: the operation and the model state right after it. */
export interface LinearizedStep<S, I, O> {
  readonly op: Operation<I, O>;
  readonly stateAfter: S;
}

/** Why a partition is not linearizable, as the deepest point the search reached shows it. */
export interface IllegalPartition<S, I, O> {
  /** The partition's name (its key, for the KV model). */
  readonly partition: string;
  readonly operations: ReadonlyArray<Operation<I, O>>;
  /** The longest partial linearization found (in linearization order) with the state after each operation. */
  readonly longestPrefix: ReadonlyArray<LinearizedStep<S, I, O>>;
  /** The operation whose response no extension of that prefix can explain: it had to take effect by then. */
  readonly blocking: Operation<I, O>;
  /**
   * The operations that could have been linearized next after the prefix (all called before `blocking`
   * returned), each with the model's verdict: none fits.
   */
  readonly candidates: ReadonlyArray<{ readonly op: Operation<I, O>; readonly verdict: 'inconsistent' | 'explored' }>;
  /** State after the prefix. */
  readonly stateAtPrefix: S;
}

export type LinearizabilityResult<S, I, O> =
  | { readonly kind: 'ok'; readonly steps: number; readonly partitions: number; readonly operations: number }
  | {
      readonly kind: 'illegal';
      readonly steps: number;
      readonly partitions: number;
      readonly operations: number;
      readonly illegal: IllegalPartition<S, I, O>;
      /** Human-readable explanation. */
      readonly explanation: string;
    }
  | {
      readonly kind: 'unknown';
      readonly steps: number;
      readonly partitions: number;
      readonly operations: number;
      /** The partitions whose search gave up. */
      readonly gaveUp: readonly string[];
      readonly reason: string;
    };

/** Checks a history against a model. Deterministic: the same history and budget always give the same result. */
export function checkLinearizability<S, I, O>(
  model: Model<S, I, O>,
  history: ReadonlyArray<Operation<I, O>>,
  options: CheckOptions = {},
): LinearizabilityResult<S, I, O> {
  const problems = validateHistory(history);
  if (problems.length > 0) throw new Error(`invalid history:\n  ${problems.join('\n  ')}`);
  const perPartition = options.maxStepsPerPartition ?? DEFAULT_MAX_STEPS_PER_PARTITION;
  const total = options.maxSteps ?? DEFAULT_MAX_STEPS;
  if (!(perPartition >= 1) || !(total >= 1)) throw new RangeError('checkLinearizability: step budgets must be >= 1');
  const partitions = model.partition ? model.partition(history) : [[...history]];
  let steps = 0;
  const gaveUp: string[] = [];
  for (let p = 0; p < partitions.length; p++) {
    const ops = partitions[p]!;
    const name = model.partitionName ? model.partitionName(ops) : partitions.length === 1 ? 'all' : `#${p}`;
    const budget = Math.min(perPartition, total - steps);
    if (budget <= 0) {
      gaveUp.push(name);
      continue;
    }
    const outcome = searchPartition(model, ops, budget);
    steps += outcome.steps;
    if (outcome.kind === 'unknown') {
      gaveUp.push(name);
      continue;
    }
    if (outcome.kind === 'illegal') {
      const illegal = explain(model, name, ops, outcome);
      return {
        kind: 'illegal',
        steps,
        partitions: partitions.length,
        operations: history.length,
        illegal,
        explanation: describeIllegal(model, illegal, options.formatTime ?? formatSimTime),
      };
    }
  }
  if (gaveUp.length > 0) {
    return {
      kind: 'unknown',
      steps,
      partitions: partitions.length,
      operations: history.length,
      gaveUp,
      reason: `search budget exhausted (${perPartition} steps per partition, ${total} in all) in ${gaveUp.length} of ${partitions.length} partition(s): ${gaveUp.slice(0, 5).join(', ')}${gaveUp.length > 5 ? ', ...' : ''}`,
    };
  }
  return { kind: 'ok', steps, partitions: partitions.length, operations: history.length };
}

type SearchOutcome =
  | { readonly kind: 'ok'; readonly steps: number }
  | { readonly kind: 'unknown'; readonly steps: number }
  | {
      readonly kind: 'illegal';
      readonly steps: number;
      /** Operation indices of the deepest partial linearization, in order. */
      readonly prefix: readonly number[];
      readonly blocking: number;
      readonly candidates: readonly number[];
    };

interface CacheEntry<S> {
  readonly bits: Uint32Array;
  readonly state: S;
}

const NIL = -1;

function searchPartition<S, I, O>(model: Model<S, I, O>, ops: ReadonlyArray<Operation<I, O>>, budget: number): SearchOutcome {
  const n = ops.length;
  if (n === 0) return { kind: 'ok', steps: 0 };
  // Entries 1..2n in time order (calls before returns at equal times; ties otherwise keep history order);
  // entry 0 is the list head.
  const order: number[] = new Array(2 * n);
  for (let i = 0; i < n; i++) {
    order[2 * i] = 2 * i; // call of op i
    order[2 * i + 1] = 2 * i + 1; // return of op i
  }
  const timeOf = (code: number): number => (code & 1 ? ops[code >> 1]!.returnUs : ops[code >> 1]!.callUs);
  order.sort((a, b) => {
    const ta = timeOf(a);
    const tb = timeOf(b);
    if (ta !== tb) return ta < tb ? -1 : 1;
    const ka = a & 1;
    const kb = b & 1;
    if (ka !== kb) return ka - kb;
    return a - b;
  });
  const size = 2 * n + 1;
  const entryOp = new Int32Array(size);
  const isCall = new Uint8Array(size);
  const match = new Int32Array(size); // call entry -> its return entry
  const next = new Int32Array(size);
  const prev = new Int32Array(size);
  const returnEntryOfOp = new Int32Array(n);
  for (let k = 0; k < order.length; k++) {
    const entry = k + 1;
    const code = order[k]!;
    entryOp[entry] = code >> 1;
    if ((code & 1) === 1) returnEntryOfOp[code >> 1] = entry;
    else isCall[entry] = 1;
  }
  for (let entry = 1; entry < size; entry++) if (isCall[entry]) match[entry] = returnEntryOfOp[entryOp[entry]!]!;
  for (let entry = 0; entry < size; entry++) {
    next[entry] = entry + 1 < size ? entry + 1 : NIL;
    prev[entry] = entry - 1;
  }

  const words = (n + 31) >>> 5;
  const bits = new Uint32Array(words);
  let bitsHash = 0;
  const opMix = new Int32Array(n);
  for (let i = 0; i < n; i++) opMix[i] = mix32(i + 0x9e3779b9);
  const cache = new Map<number, Array<CacheEntry<S>>>();

  const stackEntry: number[] = [];
  const stackState: S[] = [];
  let state = model.init();
  let entry = next[0]!;
  let steps = 0;
  let bestDepth = -1;
  let bestPrefix: number[] = [];
  let bestBlocking = -1;
  let bestCandidates: number[] = [];

  while (next[0] !== NIL) {
    if (++steps > budget) return { kind: 'unknown', steps: steps - 1 };
    if (isCall[entry]) {
      const op = entryOp[entry]!;
      const operation = ops[op]!;
      const [ok, nextState] = model.step(state, operation.input, operation.output);
      if (ok) {
        bits[op >>> 5]! |= 1 << (op & 31);
        bitsHash ^= opMix[op]!;
        const key = (bitsHash ^ Math.imul(model.hash(nextState), 0x9e3779b1)) | 0;
        let bucket = cache.get(key);
        let seen = false;
        if (bucket !== undefined) {
          for (const cached of bucket) {
            if (sameBits(cached.bits, bits) && model.equal(cached.state, nextState)) {
              seen = true;
              break;
            }
          }
        }
        if (!seen) {
          if (bucket === undefined) {
            bucket = [];
            cache.set(key, bucket);
          }
          bucket.push({ bits: bits.slice(), state: nextState });
          stackEntry.push(entry);
          stackState.push(state);
          state = nextState;
          // lift: unlink the call entry, then its return entry
          const ret = match[entry]!;
          next[prev[entry]!] = next[entry]!;
          prev[next[entry]!] = prev[entry]!;
          next[prev[ret]!] = next[ret]!;
          if (next[ret] !== NIL) prev[next[ret]!] = prev[ret]!;
          entry = next[0]!;
          continue;
        }
        bits[op >>> 5]! &= ~(1 << (op & 31));
        bitsHash ^= opMix[op]!;
      }
      entry = next[entry]!;
      continue;
    }
    // A return entry: its operation had to be linearized by now, and was not.
    const depth = stackEntry.length;
    if (depth > bestDepth) {
      bestDepth = depth;
      bestPrefix = stackEntry.map((e) => entryOp[e]!);
      bestBlocking = entryOp[entry]!;
      bestCandidates = [];
      for (let e = next[0]!; e !== entry && e !== NIL; e = next[e]!) if (isCall[e]) bestCandidates.push(entryOp[e]!);
    }
    if (depth === 0) return { kind: 'illegal', steps, prefix: bestPrefix, blocking: bestBlocking, candidates: bestCandidates };
    const top = stackEntry.pop()!;
    state = stackState.pop()!;
    const op = entryOp[top]!;
    bits[op >>> 5]! &= ~(1 << (op & 31));
    bitsHash ^= opMix[op]!;
    // unlift: relink the return entry, then the call entry
    const ret = match[top]!;
    next[prev[ret]!] = ret;
    if (next[ret] !== NIL) prev[next[ret]!] = ret;
    next[prev[top]!] = top;
    prev[next[top]!] = top;
    entry = next[top]!;
  }
  return { kind: 'ok', steps };
}

function sameBits(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function explain<S, I, O>(
  model: Model<S, I, O>,
  partition: string,
  ops: ReadonlyArray<Operation<I, O>>,
  outcome: Extract<SearchOutcome, { kind: 'illegal' }>,
): IllegalPartition<S, I, O> {
  let state = model.init();
  const longestPrefix: Array<LinearizedStep<S, I, O>> = [];
  for (const index of outcome.prefix) {
    const op = ops[index]!;
    const [ok, next] = model.step(state, op.input, op.output);
    if (!ok) throw new Error('linearizability checker: a recorded prefix does not replay (model step is not a pure function?)');
    state = next;
    longestPrefix.push({ op, stateAfter: next });
  }
  const candidates = outcome.candidates.map((index) => {
    const op = ops[index]!;
    const [ok] = model.step(state, op.input, op.output);
    return { op, verdict: ok ? ('explored' as const) : ('inconsistent' as const) };
  });
  return { partition, operations: ops, longestPrefix, blocking: ops[outcome.blocking]!, candidates, stateAtPrefix: state };
}

function describeOp<S, I, O>(model: Model<S, I, O>, op: Operation<I, O>, formatTime: (us: number) => string): string {
  const end = op.returnUs === UNKNOWN_RETURN_US ? 'unknown outcome' : formatTime(op.returnUs);
  return `[client ${op.clientId} ${formatTime(op.callUs)} .. ${end}] ${model.describeOperation(op.input, op.output)}`;
}

/** The explanation printed for an illegal partition. */
export function describeIllegal<S, I, O>(model: Model<S, I, O>, illegal: IllegalPartition<S, I, O>, formatTime: (us: number) => string = formatSimTime): string {
  const lines = [
    `not linearizable (${model.name}, partition ${illegal.partition}, ${illegal.operations.length} operations)`,
    `  longest linearizable prefix: ${illegal.longestPrefix.length} operation(s), starting from ${model.describeState(model.init())}`,
  ];
  const shown = illegal.longestPrefix.slice(-20);
  if (shown.length < illegal.longestPrefix.length) lines.push(`    ... ${illegal.longestPrefix.length - shown.length} earlier operation(s)`);
  for (const step of shown) lines.push(`    ${describeOp(model, step.op, formatTime)}  => ${model.describeState(step.stateAfter)}`);
  lines.push(`  from state ${model.describeState(illegal.stateAtPrefix)} nothing explains the response of`);
  lines.push(`    ${describeOp(model, illegal.blocking, formatTime)}`);
  if (illegal.candidates.length > 0) {
    lines.push('  operations that could have taken effect next:');
    for (const c of illegal.candidates.slice(0, 20)) {
      lines.push(`    ${describeOp(model, c.op, formatTime)}  ${c.verdict === 'inconsistent' ? 'inconsistent with that state' : 'leads only to explored states'}`);
    }
  }
  return lines.join('\n');
}
