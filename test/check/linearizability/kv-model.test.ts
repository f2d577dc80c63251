import { describe, expect, it } from 'vitest';
import { checkLinearizability, kvModel, UNKNOWN_RETURN_US, type KvInput, type KvOutput, type Operation } from '../../../src/check/linearizability';

type Op = Operation<KvInput, KvOutput>;
let clock = 0;
/** Sequential operations by one client, each 10 µs long, 10 µs apart. */
function seq(input: KvInput, output: KvOutput, clientId = 0): Op {
  clock += 20;
  return { clientId, input, output, callUs: clock, returnUs: clock + 10 };
}
const at = (callUs: number, returnUs: number, input: KvInput, output: KvOutput, clientId = 0): Op => ({ clientId, input, output, callUs, returnUs });
const check = (ops: Op[]) => checkLinearizability(kvModel, ops);

describe('kvModel', () => {
  it('accepts puts and reads with increasing revisions', () => {
    const ops = [
      seq({ op: 'get', key: 'a' }, { kind: 'get', value: null, modRevision: 0 }),
      seq({ op: 'put', key: 'a', value: 'x' }, { kind: 'put', revision: 5 }),
      seq({ op: 'get', key: 'a' }, { kind: 'get', value: 'x', modRevision: 5 }),
      seq({ op: 'put', key: 'a', value: 'y' }, { kind: 'put', revision: 9 }),
      seq({ op: 'delete', key: 'a' }, { kind: 'delete', deleted: 1, revision: 10 }),
      seq({ op: 'delete', key: 'a' }, { kind: 'delete', deleted: 0, revision: 10 }),
      seq({ op: 'get', key: 'a' }, { kind: 'get', value: null, modRevision: 0 }),
    ];
    expect(check(ops).kind).toBe('ok');
  });

  it('rejects a read reporting the wrong mod_revision, and a write whose revision does not increase', () => {
    const put5 = seq({ op: 'put', key: 'a', value: 'x' }, { kind: 'put', revision: 5 });
    expect(check([put5, seq({ op: 'get', key: 'a' }, { kind: 'get', value: 'x', modRevision: 4 })]).kind).toBe('illegal');
    expect(check([put5, seq({ op: 'put', key: 'a', value: 'y' }, { kind: 'put', revision: 5 })]).kind).toBe('illegal');
  });

  it('finds an acknowledged write lost, and names the key', () => {
    const ops = [
      seq({ op: 'put', key: 'other', value: '1' }, { kind: 'put', revision: 2 }),
      seq({ op: 'put', key: 'k', value: 'v1' }, { kind: 'put', revision: 3 }),
      seq({ op: 'get', key: 'k' }, { kind: 'get', value: null, modRevision: 0 }, 1),
    ];
    const result = check(ops);
    expect(result.kind).toBe('illegal');
    if (result.kind !== 'illegal') return;
    expect(result.illegal.partition).toBe('key "k"');
    expect(result.explanation).toContain('get(k) -> absent');
    expect(result.explanation).toContain('put(k, "v1") -> rev 3');
  });

  it('lets a write of unknown outcome happen or not, and fixes its revision at the first read', () => {
    const unknownPut = at(0, UNKNOWN_RETURN_US, { op: 'put', key: 'k', value: 'v' }, { kind: 'unknown' });
    expect(check([unknownPut, at(10, 20, { op: 'get', key: 'k' }, { kind: 'get', value: null, modRevision: 0 })]).kind).toBe('ok');
    expect(check([unknownPut, at(10, 20, { op: 'get', key: 'k' }, { kind: 'get', value: 'v', modRevision: 7 })]).kind).toBe('ok');
    // once read at revision 7, a read at another revision is impossible
    expect(
      check([
        unknownPut,
        at(10, 20, { op: 'get', key: 'k' }, { kind: 'get', value: 'v', modRevision: 7 }),
        at(30, 40, { op: 'get', key: 'k' }, { kind: 'get', value: 'v', modRevision: 8 }),
      ]).kind,
    ).toBe('illegal');
    // and once seen it cannot be undone
    expect(
      check([
        unknownPut,
        at(10, 20, { op: 'get', key: 'k' }, { kind: 'get', value: 'v', modRevision: 7 }),
        at(30, 40, { op: 'get', key: 'k' }, { kind: 'get', value: null, modRevision: 0 }),
      ]).kind,
    ).toBe('illegal');
  });

  it('checks Txn compare on mod_revision, including against a revision not yet revealed', () => {
    const put = at(0, 10, { op: 'put', key: 'k', value: 'a' }, { kind: 'put', revision: 4 });
    const casOk = at(20, 30, { op: 'cas', key: 'k', compare: { target: 'mod', modRevision: 4 }, value: 'b' }, { kind: 'cas', succeeded: true, revision: 6 });
    expect(check([put, casOk]).kind).toBe('ok');
    const casWrongRev = at(20, 30, { op: 'cas', key: 'k', compare: { target: 'mod', modRevision: 3 }, value: 'b' }, { kind: 'cas', succeeded: true, revision: 6 });
    expect(check([put, casWrongRev]).kind).toBe('illegal');
    // a failed Txn reads the key in its Else branch: it must see a state where the compare is false
    const casFailed = at(20, 30, { op: 'cas', key: 'k', compare: { target: 'mod', modRevision: 3 }, value: 'b' }, { kind: 'cas', succeeded: false, value: 'a', modRevision: 4 });
    expect(check([put, casFailed]).kind).toBe('ok');
    const casFailedWrongly = at(20, 30, { op: 'cas', key: 'k', compare: { target: 'mod', modRevision: 4 }, value: 'b' }, { kind: 'cas', succeeded: false, value: 'a', modRevision: 4 });
    expect(check([put, casFailedWrongly]).kind).toBe('illegal');
    // after a put of unknown outcome the revision is unknown: a Txn on a later revision may have matched
    const unknownPut = at(0, UNKNOWN_RETURN_US, { op: 'put', key: 'k', value: 'a' }, { kind: 'unknown' });
    const casOn9 = at(20, 30, { op: 'cas', key: 'k', compare: { target: 'mod', modRevision: 9 }, value: 'b' }, { kind: 'cas', succeeded: true, revision: 11 });
    expect(check([unknownPut, casOn9]).kind).toBe('ok');
    // a Txn of unknown outcome against an unknown revision: both branches stay possible
    const unknownCas = at(20, UNKNOWN_RETURN_US, { op: 'cas', key: 'k', compare: { target: 'mod', modRevision: 9 }, value: 'b' }, { kind: 'unknown' });
    const readA = at(40, 50, { op: 'get', key: 'k' }, { kind: 'get', value: 'a', modRevision: 12 });
    const readB = at(40, 50, { op: 'get', key: 'k' }, { kind: 'get', value: 'b', modRevision: 12 });
    expect(check([unknownPut, unknownCas, readA]).kind).toBe('ok');
    expect(check([unknownPut, unknownCas, readB]).kind).toBe('ok');
    // ...but the Txn cannot have matched a revision the key never had
    const unknownCasOn0 = { ...unknownCas, input: { ...unknownCas.input, compare: { target: 'mod', modRevision: 0 } } as KvInput };
    expect(check([unknownPut, unknownCasOn0, at(40, 50, { op: 'get', key: 'k' }, { kind: 'get', value: 'a', modRevision: 12 }), readB]).kind).toBe('illegal');
  });

  it('checks Txn compare on value; a value compare on a missing key fails, as in etcd', () => {
    const cas = (succeeded: boolean): Op =>
      at(20, 30, { op: 'cas', key: 'k', compare: { target: 'value', value: '' }, value: 'b' }, succeeded ? { kind: 'cas', succeeded: true, revision: 6 } : { kind: 'cas', succeeded: false, value: null, modRevision: 0 });
    expect(check([cas(false)]).kind).toBe('ok');
    expect(check([cas(true)]).kind).toBe('illegal');
  });

  it('linearizes concurrent writes in either order, as their reads show', () => {
    const w1 = at(0, 100, { op: 'put', key: 'k', value: '1' }, { kind: 'put', revision: 3 }, 0);
    const w2 = at(0, 100, { op: 'put', key: 'k', value: '2' }, { kind: 'put', revision: 4 }, 1);
    expect(check([w1, w2, at(110, 120, { op: 'get', key: 'k' }, { kind: 'get', value: '2', modRevision: 4 })]).kind).toBe('ok');
    // revision 3 was written first, so '1' cannot be the last value
    expect(check([w1, w2, at(110, 120, { op: 'get', key: 'k' }, { kind: 'get', value: '1', modRevision: 3 })]).kind).toBe('illegal');
  });
});
