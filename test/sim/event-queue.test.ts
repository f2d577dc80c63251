import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type SimEvent } from '../../src/sim/event-queue';

describe('EventQueue', () => {
  it('pops in (time, seq) order whatever the push order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }), fc.array(fc.boolean(), { maxLength: 300 }), (times, popAfter) => {
        const queue = new EventQueue();
        const popped: SimEvent[] = [];
        let pushed = 0;
        times.forEach((timeUs, i) => {
          queue.push({ timeUs, seq: pushed++, fn: null, arg: null });
          if (popAfter[i]) popped.push(queue.pop()!);
        });
        while (queue.size > 0) popped.push(queue.pop()!);
        expect(popped).toHaveLength(times.length);
        // Each pop returned the minimum of what was queued at that moment: replay that with a sorted list.
        const live: SimEvent[] = [];
        const expected: SimEvent[] = [];
        let k = 0;
        times.forEach((_, i) => {
          live.push(popped.find((e) => e.seq === i)!);
          if (popAfter[i]) {
            live.sort((a, b) => a.timeUs - b.timeUs || a.seq - b.seq);
            expected.push(live.shift()!);
            k++;
          }
        });
        live.sort((a, b) => a.timeUs - b.timeUs || a.seq - b.seq);
        expected.push(...live);
        expect(popped.map((e) => e.seq)).toEqual(expected.map((e) => e.seq));
        expect(k).toBe(popAfter.slice(0, times.length).filter(Boolean).length);
      }),
      { numRuns: 200 },
    );
  });

  it('remove takes any queued event out; the rest still pop in (time, seq) order (property)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), timeUs: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const queue = new EventQueue();
        let model: SimEvent[] = []; // what should be queued
        const everPushed: SimEvent[] = [];
        let seq = 0;
        const order = (a: SimEvent, b: SimEvent): number => a.timeUs - b.timeUs || a.seq - b.seq;
        for (const o of ops) {
          if (o.kind === 'push') {
            const e: SimEvent = { timeUs: o.timeUs, seq: seq++, fn: null, arg: null, index: -1 };
            queue.push(e);
            model.push(e);
            everPushed.push(e);
          } else if (o.kind === 'pop') {
            model.sort(order);
            expect(queue.pop()).toBe(model.shift());
          } else if (everPushed.length > 0) {
            // Removing one already popped or removed does nothing.
            const e = everPushed[o.pick % everPushed.length]!;
            queue.remove(e);
            model = model.filter((m) => m !== e);
          }
          expect(queue.size).toBe(model.length);
        }
        model.sort(order);
        const rest: SimEvent[] = [];
        while (queue.size > 0) rest.push(queue.pop()!);
        expect(rest).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it('peek shows the next event; pop on empty gives undefined; clear empties', () => {
    const queue = new EventQueue();
    expect(queue.pop()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
    queue.push({ timeUs: 5, seq: 0, fn: null, arg: 'a' });
    queue.push({ timeUs: 3, seq: 1, fn: null, arg: 'b' });
    expect(queue.peek()?.arg).toBe('b');
    expect(queue.size).toBe(2);
    expect(queue.toArray()).toHaveLength(2);
    queue.clear();
    expect(queue.size).toBe(0);
  });
});
