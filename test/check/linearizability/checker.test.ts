import { describe, expect, it } from 'vitest';
import { checkLinearizability, UNKNOWN_RETURN_US, type Operation } from '../../../src/check/linearizability';
import { casRegisterModel, registerModel, type RegisterInput, type RegisterOutput } from '../../../src/check/linearizability/register-model';
import { readFixture, toOperations } from './jepsen-fixtures';

type Op = Operation<RegisterInput, RegisterOutput>;
const put = (clientId: number, value: number, callUs: number, returnUs: number): Op => ({ clientId, input: { f: 'write', value }, output: { kind: 'write' }, callUs, returnUs });
const get = (clientId: number, value: number | null, callUs: number, returnUs: number): Op => ({ clientId, input: { f: 'read' }, output: { kind: 'read', value }, callUs, returnUs });

describe('checkLinearizability on porcupine register tests', () => {
  // porcupine TestRegisterModel (examples from MIT 6.824 2017 quiz 2, section VII)
  it('accepts a read of the new value and a later read of the old one, both concurrent with the write', () => {
    const ops = [put(0, 100, 0, 100), get(1, 100, 25, 75), get(2, 0, 30, 60)];
    expect(checkLinearizability(registerModel(0), ops).kind).toBe('ok');
  });

  it('rejects a read of the old value after a read of the new one has returned', () => {
    const ops = [put(0, 200, 0, 100), get(1, 200, 10, 30), get(2, 0, 40, 90)];
    const result = checkLinearizability(registerModel(0), ops);
    expect(result.kind).toBe('illegal');
    if (result.kind !== 'illegal') return;
    expect(result.illegal.blocking.clientId).toBe(2);
    expect(result.explanation).toContain('read() -> 0');
  });

  // porcupine TestZeroDuration
  it('treats intervals as closed: zero-length operations at the same instant are concurrent', () => {
    const ok = [put(0, 100, 0, 100), get(1, 100, 25, 75), get(2, 0, 30, 30), get(3, 0, 30, 30)];
    expect(checkLinearizability(registerModel(0), ok).kind).toBe('ok');
    const bad = [put(0, 200, 0, 100), get(1, 200, 10, 10), get(2, 200, 10, 10), get(3, 0, 40, 90)];
    expect(checkLinearizability(registerModel(0), bad).kind).toBe('illegal');
  });

  it('lets an operation touching another at one instant go either way', () => {
    // write returns at 50 exactly when the read is called: they are concurrent, so reading the old value is fine
    expect(checkLinearizability(registerModel(0), [put(0, 1, 0, 50), get(1, 0, 50, 60)]).kind).toBe('ok');
    expect(checkLinearizability(registerModel(0), [put(0, 1, 0, 50), get(1, 0, 51, 60)]).kind).toBe('illegal');
  });

  it('accepts an empty history and a sequential one', () => {
    expect(checkLinearizability(registerModel(0), []).kind).toBe('ok');
    expect(checkLinearizability(registerModel(0), [put(0, 1, 0, 1), get(0, 1, 2, 3), put(0, 2, 4, 5), get(0, 2, 6, 7)]).kind).toBe('ok');
  });
});

describe('operations with unknown outcome', () => {
  // Knossos crash-test: an :info write may have happened
  it('may or may not have happened', () => {
    const unknownWrite: Op = { clientId: 0, input: { f: 'write', value: 1 }, output: { kind: 'unknown' }, callUs: 0, returnUs: UNKNOWN_RETURN_US };
    expect(checkLinearizability(registerModel(0), [unknownWrite]).kind).toBe('ok');
    expect(checkLinearizability(registerModel(0), [unknownWrite, get(1, 1, 10, 20)]).kind).toBe('ok');
    expect(checkLinearizability(registerModel(0), [unknownWrite, get(1, 0, 10, 20)]).kind).toBe('ok');
    // but not before it was called
    expect(checkLinearizability(registerModel(0), [get(1, 1, 0, 5), { ...unknownWrite, callUs: 10 }]).kind).toBe('illegal');
    // and once observed it cannot be un-done
    expect(checkLinearizability(registerModel(0), [unknownWrite, get(1, 1, 10, 20), get(1, 0, 30, 40)]).kind).toBe('illegal');
  });

  it('rejects an undefined return time as malformed', () => {
    expect(() => checkLinearizability(registerModel(0), [put(0, 1, 10, 5)])).toThrow(/returns \(5\) before its call/);
  });
});

describe('bounded search', () => {
  it('gives up with unknown when the step budget is exhausted, and never on a generous budget', () => {
    const history = toOperations(readFixture('porcupine-etcd-jepsen.txt').find((h) => h.name === 'etcd_002')!, 'porcupine');
    const tight = checkLinearizability(casRegisterModel(null), history, { maxStepsPerPartition: 10 });
    expect(tight.kind).toBe('unknown');
    if (tight.kind === 'unknown') expect(tight.steps).toBe(10);
    expect(checkLinearizability(casRegisterModel(null), history).kind).toBe('ok');
  });

  it('is deterministic: the same history gives the same step count', () => {
    const history = toOperations(readFixture('porcupine-etcd-jepsen.txt').find((h) => h.name === 'etcd_000')!, 'porcupine');
    const a = checkLinearizability(casRegisterModel(null), history);
    const b = checkLinearizability(casRegisterModel(null), history);
    expect(a.kind).toBe('illegal');
    expect(b.steps).toBe(a.steps);
  });
});

describe('porcupine etcd Jepsen histories (cas-register)', () => {
  for (const history of readFixture('porcupine-etcd-jepsen.txt')) {
    it(`${history.name} is ${history.expected}`, () => {
      const result = checkLinearizability(casRegisterModel(null), toOperations(history, 'porcupine'));
      expect(result.kind).toBe(history.expected === 'linearizable' ? 'ok' : 'illegal');
    });
  }
});

describe('Knossos cas-register histories', () => {
  const histories = readFixture('knossos-cas-register.txt');
  const initial = (name: string): number | null => (name.startsWith('rethink') ? null : 0);
  for (const history of histories) {
    it(`${history.name} is ${history.expected}`, () => {
      const result = checkLinearizability(casRegisterModel(initial(history.name)), toOperations(history, 'knossos'));
      expect(result.kind).toBe(history.expected === 'linearizable' ? 'ok' : 'illegal');
    });
  }

  const blockingOf = (name: string): string => {
    const history = histories.find((h) => h.name === name)!;
    const result = checkLinearizability(casRegisterModel(initial(name)), toOperations(history, 'knossos'));
    if (result.kind !== 'illegal') throw new Error(`${name}: expected illegal`);
    const op = result.illegal.blocking;
    return `${op.clientId} ${casRegisterModel().describeOperation(op.input, op.output)}`;
  };

  // The invalidating operation Knossos's wgl_test.clj names for each history.
  it('names the operation Knossos names as the one that cannot be linearized', () => {
    expect(blockingOf('immediate-failure')).toBe('1 read() -> 3');
    expect(blockingOf('rethink-fail-minimal')).toBe('1 read() -> 3');
    expect(blockingOf('bad-analysis')).toBe('21 read() -> 2');
    expect(blockingOf('cas-failure')).toBe('70 read() -> 0');
    expect(blockingOf('rethink-fail-smaller')).toBe('12 read() -> 3');
  });

  it('explains with the longest linearizable prefix and the state it reaches', () => {
    const history = histories.find((h) => h.name === 'cas-failure')!;
    const result = checkLinearizability(casRegisterModel(0), toOperations(history, 'knossos'));
    if (result.kind !== 'illegal') throw new Error('expected illegal');
    // Knossos: "the only legal linearization to that final read is all reads of 0, followed by 76 write 2, which
    // leaves the state as 2"
    expect(result.illegal.stateAtPrefix).toBe(2);
    const last = result.illegal.longestPrefix[result.illegal.longestPrefix.length - 1]!;
    expect(last.op.clientId).toBe(76);
    expect(result.illegal.candidates.some((c) => c.op.clientId === 70 && c.verdict === 'inconsistent')).toBe(true);
    expect(result.explanation).toMatch(/longest linearizable prefix: \d+ operation/);
  });
});
