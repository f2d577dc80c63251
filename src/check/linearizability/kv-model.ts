// The etcd key-value model: per-key registers with etcd's revisions, read by Range, written by Put/DeleteRange,
// and compare-and-swapped by Txn (If compare Then Put Else Range), the way the kube-apiserver does optimistic
// concurrency (compare mod_revision) or a client does a value CAS.
//
// Partitioned by key (P-compositionality): each key is checked on its own, its state being the key's value and
// mod_revision. Revisions are etcd's global ones, so the model checks only what holds per key: a write's
// revision is greater than the key's previous mod_revision, and a read returns the last write's value with its
// revision.
//
// A write whose outcome is unknown leaves the key's new revision unknown: the state then keeps only a lower
// bound (exclusive), and the first read (or failed Txn, whose Else branch reads) fixes it. A Txn comparing
// mod_revision against such an unknown revision may or may not have matched; the state then holds both
// alternatives (a small power set, as porcupine's NondeterministicModel). Simplification: the "did not match"
// alternative forgets that the revision differs from the compared one, so the model accepts a little more than
// etcd could do (it may miss a violation there, but never reports a false one).
import { fnv1a32, type Model } from './model';
import type { Operation } from './history';

export type KvCompare =
  /** Compare mod_revision == modRevision (0: the key does not exist). */
  | { readonly target: 'mod'; readonly modRevision: number }
  /** Compare value == value (fails on a missing key, as etcd does). */
  | { readonly target: 'value'; readonly value: string };

export type KvInput =
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'delete'; readonly key: string }
  /** Txn(If compare, Then Put(key, value), Else Range(key)). */
  | { readonly op: 'cas'; readonly key: string; readonly compare: KvCompare; readonly value: string };

export type KvOutput =
  /** The outcome is unknown (timeout, connection lost after sending): it may or may not have taken effect. */
  | { readonly kind: 'unknown' }
  /** A linearizable Range: value null and modRevision 0 when the key does not exist. */
  | { readonly kind: 'get'; readonly value: string | null; readonly modRevision: number }
  /** The Put's header revision: the key's new mod_revision. */
  | { readonly kind: 'put'; readonly revision: number }
  | { readonly kind: 'delete'; readonly deleted: number; readonly revision: number }
  | { readonly kind: 'cas'; readonly succeeded: true; readonly revision: number }
  /** The Else branch read the key. */
  | { readonly kind: 'cas'; readonly succeeded: false; readonly value: string | null; readonly modRevision: number };

/** One possible state of a key. */
interface KvAlt {
  readonly value: string | null;
  /** The key's mod_revision when `known`; otherwise an exclusive lower bound. 0 for a missing key. */
  readonly rev: number;
  readonly known: boolean;
}

/** The possible states of one key (usually one). */
export interface KvState {
  readonly alts: readonly KvAlt[];
  readonly hash: number;
}

const ABSENT: KvAlt = { value: null, rev: 0, known: true };

function altKey(alt: KvAlt): string {
  return alt.value === null ? '-' : `${alt.known ? '=' : '>'}${alt.rev}:${alt.value}`;
}

function makeState(alts: readonly KvAlt[]): KvState {
  if (alts.length === 1) return { alts, hash: fnv1a32(altKey(alts[0]!)) };
  const unique = new Map<string, KvAlt>();
  for (const alt of alts) unique.set(altKey(alt), alt);
  let hash = 0;
  for (const key of unique.keys()) hash ^= fnv1a32(key);
  return { alts: [...unique.values()], hash };
}

/** The alternative after observing (value, modRevision), or null if it cannot show that. */
function observe(alt: KvAlt, value: string | null, modRevision: number): KvAlt | null {
  if (alt.value !== value) return null;
  if (value === null) return modRevision === 0 ? alt : null;
  if (alt.known) return alt.rev === modRevision ? alt : null;
  return modRevision > alt.rev ? { value, rev: modRevision, known: true } : null;
}

/** Does the compare hold? 'maybe' when it depends on a revision the history has not revealed. */
function compareHolds(alt: KvAlt, compare: KvCompare): boolean | 'maybe' {
  if (compare.target === 'value') return alt.value !== null && alt.value === compare.value;
  if (alt.value === null) return compare.modRevision === 0;
  if (alt.known) return alt.rev === compare.modRevision;
  return compare.modRevision > alt.rev ? 'maybe' : false;
}

function stepAlt(alt: KvAlt, input: KvInput, output: KvOutput, out: KvAlt[]): void {
  switch (input.op) {
    case 'get': {
      if (output.kind === 'unknown') {
        out.push(alt);
        return;
      }
      if (output.kind !== 'get') return;
      const seen = observe(alt, output.value, output.modRevision);
      if (seen) out.push(seen);
      return;
    }
    case 'put':
      if (output.kind === 'unknown') out.push({ value: input.value, rev: alt.rev, known: false });
      else if (output.kind === 'put' && output.revision > alt.rev) out.push({ value: input.value, rev: output.revision, known: true });
      return;
    case 'delete':
      if (output.kind === 'unknown') out.push(ABSENT);
      else if (output.kind === 'delete') {
        if (output.deleted === 0 && alt.value === null) out.push(alt);
        else if (output.deleted === 1 && alt.value !== null && output.revision > alt.rev) out.push(ABSENT);
      }
      return;
    case 'cas': {
      const holds = compareHolds(alt, input.compare);
      if (output.kind === 'unknown') {
        if (holds !== false) out.push({ value: input.value, rev: holds === 'maybe' ? (input.compare as { modRevision: number }).modRevision : alt.rev, known: false });
        if (holds !== true) out.push(alt);
        return;
      }
      if (output.kind !== 'cas') return;
      if (output.succeeded) {
        if (holds === false) return;
        const floor = holds === 'maybe' ? (input.compare as { modRevision: number }).modRevision : alt.rev;
        if (output.revision > floor) out.push({ value: input.value, rev: output.revision, known: true });
        return;
      }
      const seen = observe(alt, output.value, output.modRevision);
      if (seen && compareHolds(seen, input.compare) === false) out.push(seen);
      return;
    }
  }
}

function showValue(value: string | null): string {
  return value === null ? 'absent' : JSON.stringify(value);
}

function describeOperation(input: KvInput, output: KvOutput): string {
  const unknown = output.kind === 'unknown' ? ' -> unknown' : '';
  switch (input.op) {
    case 'get':
      return output.kind === 'get' ? `get(${input.key}) -> ${showValue(output.value)}${output.value !== null ? ` @${output.modRevision}` : ''}` : `get(${input.key})${unknown}`;
    case 'put':
      return `put(${input.key}, ${JSON.stringify(input.value)})${output.kind === 'put' ? ` -> rev ${output.revision}` : unknown}`;
    case 'delete':
      return `delete(${input.key})${output.kind === 'delete' ? ` -> deleted ${output.deleted}` : unknown}`;
    case 'cas': {
      const cmp = input.compare.target === 'mod' ? `mod_revision == ${input.compare.modRevision}` : `value == ${JSON.stringify(input.compare.value)}`;
      const head = `txn(${input.key}: if ${cmp} then put ${JSON.stringify(input.value)})`;
      if (output.kind !== 'cas') return head + unknown;
      return output.succeeded ? `${head} -> succeeded, rev ${output.revision}` : `${head} -> failed, read ${showValue(output.value)}${output.value !== null ? ` @${output.modRevision}` : ''}`;
    }
  }
}

function describeAlt(alt: KvAlt): string {
  if (alt.value === null) return 'absent';
  return `${JSON.stringify(alt.value)} @${alt.known ? '' : '>'}${alt.rev}`;
}

/** The etcd KV model, partitioned by key. */
export const kvModel: Model<KvState, KvInput, KvOutput> = {
  name: 'etcd kv',
  partition(ops) {
    const byKey = new Map<string, Array<Operation<KvInput, KvOutput>>>();
    for (const op of ops) {
      let list = byKey.get(op.input.key);
      if (list === undefined) {
        list = [];
        byKey.set(op.input.key, list);
      }
      list.push(op);
    }
    return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
  },
  partitionName: (ops) => (ops.length > 0 ? `key ${JSON.stringify(ops[0]!.input.key)}` : 'empty'),
  init: () => makeState([ABSENT]),
  step(state, input, output) {
    const out: KvAlt[] = [];
    for (const alt of state.alts) stepAlt(alt, input, output, out);
    if (out.length === 0) return [false, state];
    return [true, makeState(out)];
  },
  equal(a, b) {
    if (a.hash !== b.hash || a.alts.length !== b.alts.length) return false;
    if (a.alts.length === 1) return altKey(a.alts[0]!) === altKey(b.alts[0]!);
    const keys = new Set(a.alts.map(altKey));
    return b.alts.every((alt) => keys.has(altKey(alt)));
  },
  hash: (state) => state.hash,
  describeOperation,
  describeState: (state) => (state.alts.length === 1 ? describeAlt(state.alts[0]!) : `{${state.alts.map(describeAlt).join(' | ')}}`),
};
