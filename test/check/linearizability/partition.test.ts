// P-compositionality: porcupine's key-value histories (get/put/append), checked per key.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLinearizability, fnv1a32, operationsFromEvents, type HistoryEvent, type Model, type Operation } from '../../../src/check/linearizability';

interface In {
  readonly f: 'get' | 'put' | 'append';
  readonly key: string;
  readonly value: string;
}
type Out = { readonly value: string };

// porcupine's kvModel: a string per key; append concatenates.
const appendKv: Model<string, In, Out> = {
  name: 'append kv',
  partition(ops) {
    const byKey = new Map<string, Array<Operation<In, Out>>>();
    for (const op of ops) byKey.set(op.input.key, [...(byKey.get(op.input.key) ?? []), op]);
    return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
  },
  partitionName: (ops) => `key ${ops[0]!.input.key}`,
  init: () => '',
  step: (state, input, output) => (input.f === 'get' ? [output.value === state, state] : [true, input.f === 'put' ? input.value : state + input.value]),
  equal: (a, b) => a === b,
  hash: (s) => fnv1a32(s),
  describeOperation: (i, o) => (i.f === 'get' ? `get(${i.key}) -> ${JSON.stringify(o.value)}` : `${i.f}(${i.key}, ${JSON.stringify(i.value)})`),
  describeState: (s) => JSON.stringify(s),
};

function histories(): Array<{ name: string; expected: string; ops: Array<Operation<In, Out>> }> {
  const text = readFileSync(fileURLToPath(new URL('fixtures/porcupine-kv.txt', import.meta.url)), 'utf8');
  const out: Array<{ name: string; expected: string; events: Array<HistoryEvent<In, Out>> }> = [];
  let pending = new Map<number, number>();
  let id = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) {
      const [name, expected] = line.slice(3).split(' ');
      out.push({ name: name!, expected: expected!, events: [] });
      pending = new Map();
      continue;
    }
    const m = /^(\d+) (invoke|ok) (get|put|append) (\S+) (nil|".*")$/.exec(line);
    if (!m) continue;
    const process = Number(m[1]);
    const value = m[5] === 'nil' ? '' : (JSON.parse(m[5]!) as string);
    const events = out[out.length - 1]!.events;
    if (m[2] === 'invoke') {
      pending.set(process, id);
      events.push({ kind: 'call', clientId: process, id: id++, input: { f: m[3] as In['f'], key: m[4]!, value } });
    } else {
      events.push({ kind: 'return', clientId: process, id: pending.get(process)!, output: { value } });
      pending.delete(process);
    }
  }
  // porcupine: calls never returned are given an empty output at the end
  return out.map((h) => ({ name: h.name, expected: h.expected, ops: operationsFromEvents(h.events, { value: '' }) }));
}

describe('per-key partitioning on porcupine kv histories', () => {
  for (const h of histories()) {
    it(`${h.name} is ${h.expected}`, () => {
      const result = checkLinearizability(appendKv, h.ops);
      expect(result.kind).toBe(h.expected === 'linearizable' ? 'ok' : 'illegal');
      expect(result.partitions).toBeGreaterThan(1);
    });
  }

  it('gives up with unknown, naming the partitions that ran out of budget', () => {
    const ok = histories().find((h) => h.name === 'c10-ok')!;
    const result = checkLinearizability(appendKv, ok.ops, { maxStepsPerPartition: 5 });
    expect(result.kind).toBe('unknown');
    if (result.kind === 'unknown') expect(result.gaveUp.length).toBe(result.partitions);
    const bad = histories().find((h) => h.name === 'c10-bad')!;
    expect(checkLinearizability(appendKv, bad.ops, { maxSteps: 50 }).kind).toBe('unknown');
  });
});
