import { describe, expect, it } from 'vitest';
import { Inflights } from '../../../src/raft/core/inflights';

describe('Inflights (etcd-io/raft tracker/inflights_test.go)', () => {
  it('fills up, frees up to an index, wraps around the ring', () => {
    const in1 = new Inflights(10);
    for (let i = 0; i < 5; i++) in1.add(i);
    expect(in1.size()).toBe(5);
    for (let i = 5; i < 10; i++) in1.add(i);
    expect(in1.full()).toBe(true);
    expect(() => in1.add(10)).toThrow(/full/);
    in1.freeLE(4);
    expect(in1.size()).toBe(5);
    // wrap around: 5 more go to the front of the ring
    for (let i = 10; i < 15; i++) in1.add(i);
    expect(in1.full()).toBe(true);
    in1.freeLE(8);
    expect(in1.size()).toBe(6);
    in1.freeLE(12);
    expect(in1.size()).toBe(2);
    in1.freeLE(14);
    expect(in1.size()).toBe(0);
    in1.freeLE(100); // nothing to free
    expect(in1.size()).toBe(0);
  });

  it('ignores acknowledgements below the first inflight', () => {
    const in1 = new Inflights(3);
    in1.add(5);
    in1.add(7);
    in1.freeLE(4);
    expect(in1.size()).toBe(2);
    in1.freeLE(6);
    expect(in1.size()).toBe(1);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new Inflights(0)).toThrow(/positive integer/);
  });
});
