// Single-register models: a read/write register (porcupine's register model) and a compare-and-set register
// (Knossos's cas-register). Values are numbers, or null for "never written". These are the models of the
// classic Jepsen and porcupine histories; the etcd KV model (kv-model.ts) is the one the simulator's
// workload uses.
import { mix32, type Model } from './model';

export type RegisterInput =
  | { readonly f: 'read' }
  | { readonly f: 'write'; readonly value: number }
  /** Compare-and-set: if the register holds `from`, set it to `to`. */
  | { readonly f: 'cas'; readonly from: number; readonly to: number };

export type RegisterOutput =
  /** The outcome is unknown (a timeout, a crashed client): the operation may or may not have taken effect. */
  | { readonly kind: 'unknown' }
  | { readonly kind: 'read'; readonly value: number | null }
  | { readonly kind: 'write' }
  | { readonly kind: 'cas'; readonly ok: boolean };

export type RegisterState = number | null;

function describe(input: RegisterInput, output: RegisterOutput): string {
  const show = (v: number | null): string => (v === null ? 'nil' : String(v));
  switch (input.f) {
    case 'read':
      return `read() -> ${output.kind === 'read' ? show(output.value) : 'unknown'}`;
    case 'write':
      return `write(${input.value})${output.kind === 'unknown' ? ' -> unknown' : ''}`;
    case 'cas':
      return `cas(${input.from}, ${input.to}) -> ${output.kind === 'cas' ? (output.ok ? 'ok' : 'fail') : 'unknown'}`;
  }
}

/** A compare-and-set register starting at `initial` (Knossos `(cas-register initial)`). Reads of the wrong kind are rejected. */
export function casRegisterModel(initial: RegisterState = null): Model<RegisterState, RegisterInput, RegisterOutput> {
  return {
    name: 'cas-register',
    init: () => initial,
    step(state, input, output) {
      switch (input.f) {
        case 'read':
          if (output.kind === 'unknown') return [true, state];
          return [output.kind === 'read' && output.value === state, state];
        case 'write':
          return [output.kind === 'write' || output.kind === 'unknown', input.value];
        case 'cas': {
          const holds = state === input.from;
          if (output.kind === 'unknown') return [true, holds ? input.to : state];
          if (output.kind !== 'cas') return [false, state];
          return [output.ok === holds, holds ? input.to : state];
        }
      }
    },
    equal: (a, b) => a === b,
    hash: (s) => (s === null ? 0x5bd1e995 : mix32(s)),
    describeOperation: describe,
    describeState: (s) => (s === null ? 'nil' : String(s)),
  };
}

/** A read/write register starting at `initial` (porcupine's register model). */
export function registerModel(initial: RegisterState = 0): Model<RegisterState, RegisterInput, RegisterOutput> {
  const cas = casRegisterModel(initial);
  return {
    ...cas,
    name: 'register',
    step(state, input, output) {
      if (input.f === 'cas') throw new Error('registerModel: cas is not an operation of a plain register (use casRegisterModel)');
      return cas.step(state, input, output);
    },
  };
}
