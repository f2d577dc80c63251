// jsonCopy and JsonDecodeCache stand in for JSON round trips on the apiserver's hot path: they must give exactly
// what JSON.parse(JSON.stringify(v)) / JSON.parse(text) give, key order included.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonDecodeCache, jsonCopy } from '../../src/apiserver/json-copy';

/** The reference: the real round trip. */
function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value) as string) as unknown;
}

/** Same structure, same values, same key order at every level. */
function expectSameJson(actual: unknown, expected: unknown): void {
  expect(actual).toStrictEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  if (typeof expected === 'object' && expected !== null) {
    expect(Object.keys(actual as object)).toEqual(Object.keys(expected));
    for (const k of Object.keys(expected)) expectSameJson((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k]);
  }
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** Values JSON.stringify treats specially, mixed into random structures. */
const oddLeaf = fc.oneof(
  fc.constant(undefined),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constant(-0),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
  fc.date({ noInvalidDate: true }),
  fc.constant(new Point(1, 2)),
  fc.constant({ toJSON: (key: string) => `key:${key}` }),
  fc.constant(Object.assign(Object.create(null) as object, { a: 1 })),
  fc.constant(new Number(3)),
  fc.constant(new String('boxed')),
  fc.constant(JSON.parse('{"__proto__": {"x": 1}, "b": 2}') as unknown),
  fc.constant({ 2: 'two', 1: 'one', b: 'b', a: 'a' }),
);

const anyValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.jsonValue(), oddLeaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'toJSON', '0', '10', 'metadata')), tie('value'), { maxKeys: 6 }),
})).value;

describe('jsonCopy', () => {
  it('equals JSON.parse(JSON.stringify(v)) on random values, odd ones included', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        if (JSON.stringify(value) === undefined) {
          expect(() => jsonCopy(value)).toThrow(SyntaxError);
          return;
        }
        expectSameJson(jsonCopy(value), roundTrip(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('returns a copy: changing it leaves the original alone', () => {
    const original = { metadata: { name: 'a', labels: { x: 'y' } }, items: [{ n: 1 }] };
    const copy = jsonCopy(original);
    copy.metadata.labels.x = 'changed';
    copy.items[0]!.n = 2;
    expect(original).toEqual({ metadata: { name: 'a', labels: { x: 'y' } }, items: [{ n: 1 }] });
  });

  it('passes the property name (or index) to toJSON', () => {
    const seen: string[] = [];
    const v = { toJSON: (key: string) => (seen.push(key), key) };
    expectSameJson(jsonCopy({ a: v, list: [v, v] }), { a: 'a', list: ['0', '1'] });
    expect(seen).toEqual(['a', '0', '1']);
  });

  it('throws what the round trip throws: cycles, bigints', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => jsonCopy(cyclic)).toThrow(/circular/);
    expect(() => jsonCopy({ n: 10n })).toThrow(TypeError);
  });
});

describe('JsonDecodeCache', () => {
  it('parses like JSON.parse, and every call returns a fresh copy', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const cache = new JsonDecodeCache(8);
        const text = JSON.stringify(value);
        const first = cache.parse(text);
        expectSameJson(first, JSON.parse(text));
        if (typeof first === 'object' && first !== null) {
          const second = cache.parse(text);
          expectSameJson(second, JSON.parse(text));
          expect(second).not.toBe(first);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a copy handed out earlier can be changed without affecting later ones', () => {
    const cache = new JsonDecodeCache();
    const text = '{"metadata":{"name":"a","__proto__":{"x":1}},"spec":{"list":[1,{"b":2}]}}';
    const a = cache.parse(text) as { metadata: { name: string }; spec: { list: Array<number | { b: number }> } };
    a.metadata.name = 'changed';
    (a.spec.list[1] as { b: number }).b = 3;
    expectSameJson(cache.parse(text), JSON.parse(text));
  });

  it('stays within its capacity', () => {
    const cache = new JsonDecodeCache(4);
    for (let i = 0; i < 20; i++) expectSameJson(cache.parse(`{"i":${i}}`), { i });
    expect((cache as unknown as { parsed: Map<string, unknown> }).parsed.size).toBeLessThanOrEqual(4);
  });
});
