// The sequential specification the checker linearizes against (porcupine's Model).
//
// A model is purely functional: step never mutates the state it is given. States that are equal must hash
// equally; the checker memoises (set of linearized operations, state) pairs and prunes a branch that reaches a
// pair it has already explored, so equal() and hash() decide how much of the search is shared.
import type { Operation } from './history';

export interface Model<S, I, O> {
  /** For reports: "etcd kv", "register". */
  readonly name: string;
  /** Splits a history into independent sub-histories (P-compositionality: e.g. one per key). Default: one. */
  partition?(ops: ReadonlyArray<Operation<I, O>>): Array<Array<Operation<I, O>>>;
  /** Names a partition in reports (e.g. its key). */
  partitionName?(ops: ReadonlyArray<Operation<I, O>>): string;
  init(): S;
  /** Could the system, in `state`, take this operation and produce `output`? Returns [ok, next state]. */
  step(state: S, input: I, output: O): readonly [ok: boolean, next: S];
  equal(a: S, b: S): boolean;
  /** A 32-bit integer; equal states must hash equally. */
  hash(state: S): number;
  describeOperation(input: I, output: O): string;
  describeState(state: S): string;
}

/** 32-bit FNV-1a over a string: the usual state hash for string-valued models. */
export function fnv1a32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Mixes an integer into a well-spread 32-bit value (MurmurHash3's finaliser). */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
