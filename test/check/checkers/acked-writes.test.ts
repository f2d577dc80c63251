import { describe, expect, it } from 'vitest';
import { checkAckedWrites, lastAckedWrites } from '../../../src/check/checkers/acked-writes';
import { UNKNOWN_RETURN_US, type KvInput, type KvOutput, type Operation } from '../../../src/check/linearizability';

type Op = Operation<KvInput, KvOutput>;
const put = (key: string, value: string, revision: number, returnUs: number): Op => ({ clientId: 0, input: { op: 'put', key, value }, output: { kind: 'put', revision }, callUs: returnUs - 10, returnUs });
const history: Op[] = [
  put('a', 'a1', 5, 100),
  put('a', 'a2', 9, 200),
  { clientId: 1, input: { op: 'cas', key: 'b', compare: { target: 'mod', modRevision: 0 }, value: 'b1' }, output: { kind: 'cas', succeeded: true, revision: 7 }, callUs: 50, returnUs: 150 },
  { clientId: 1, input: { op: 'put', key: 'a', value: 'a3' }, output: { kind: 'unknown' }, callUs: 300, returnUs: UNKNOWN_RETURN_US },
  { clientId: 2, input: { op: 'cas', key: 'c', compare: { target: 'value', value: 'x' }, value: 'c1' }, output: { kind: 'cas', succeeded: false, value: null, modRevision: 0 }, callUs: 50, returnUs: 150 },
];

describe('checkAckedWrites', () => {
  it('knows the last acknowledged write of each key, ignoring unknown outcomes and failed CAS', () => {
    const acked = lastAckedWrites(history);
    expect([...acked.keys()].sort()).toEqual(['a', 'b']);
    expect(acked.get('a')).toMatchObject({ value: 'a2', revision: 9 });
    expect(acked.get('b')).toMatchObject({ value: 'b1', revision: 7 });
  });

  it('passes when keys read back the last acknowledged write or something later', () => {
    const finals = new Map([
      ['a', { value: 'a3', modRevision: 12, atUs: 1000 }],
      ['b', { value: 'b1', modRevision: 7, atUs: 1000 }],
    ]);
    expect(checkAckedWrites(history, finals)).toEqual({ violation: null, verified: 2, unverified: [] });
  });

  it('reports a key that reads back below its acknowledged revision', () => {
    const finals = new Map([
      ['a', { value: 'a1', modRevision: 5, atUs: 70_000_000 }],
      ['b', { value: 'b1', modRevision: 7, atUs: 70_000_000 }],
    ]);
    const { violation } = checkAckedWrites(history, finals);
    expect(violation).toMatchObject({ checker: 'acked-write-lost', atUs: 70_000_000 });
    expect(violation!.message).toBe(
      'acknowledged write lost: key a was written "a2" (acknowledged at revision 9, t=0.000s) but reads "a1" at revision 5 after the faults healed',
    );
  });

  it('does not judge a write by a final read that did not follow it', () => {
    const result = checkAckedWrites(history, new Map([['a', { value: 'a1', modRevision: 5, atUs: 150 }]]));
    expect(result.violation).toBeNull();
    expect(result.unverified).toContain('a');
  });

  it('reports a value differing at the acknowledged revision, and lists keys it could not verify', () => {
    const result = checkAckedWrites(history, new Map([['b', { value: 'zz', modRevision: 7, atUs: 1000 }]]));
    expect(result.violation?.message).toContain('key b was written "b1"');
    expect(result.unverified).toEqual(['a']);
  });
});
