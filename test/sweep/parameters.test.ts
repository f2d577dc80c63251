import { describe, expect, it } from 'vitest';
import { didYouMean, parseSetArgument, SweepInputError, validateAxes, type ParameterDef } from '../../src/sweep/parameters';

const duration = (v: string) => (/^\d+(ms|s|m)$/.test(v) ? null : `invalid duration "${v}"`);
const DEFS: ParameterDef[] = [
  { key: 'kube-scheduler.--leader-elect-lease-duration', current: '15s', validate: duration },
  { key: 'kube-scheduler.--leader-elect-retry-period', current: '2s', validate: duration },
  { key: 'etcd.--election-timeout', current: '1000', validate: (v) => (/^\d+$/.test(v) ? null : 'expected whole milliseconds') },
  { key: 'haproxy.inter', current: '2s', validate: duration },
];

describe('parseSetArgument', () => {
  it('splits KEY=V1,V2 and trims', () => {
    expect(parseSetArgument('kube-scheduler.--leader-elect-lease-duration=15s, 30s,60s')).toEqual({
      key: 'kube-scheduler.--leader-elect-lease-duration',
      values: ['15s', '30s', '60s'],
    });
  });

  it('rejects a missing =, empty values and duplicates', () => {
    expect(() => parseSetArgument('haproxy.inter')).toThrow(/expected KEY=V1,V2/);
    expect(() => parseSetArgument('=1s')).toThrow(SweepInputError);
    expect(() => parseSetArgument('haproxy.inter=1s,,2s')).toThrow(/empty value/);
    expect(() => parseSetArgument('haproxy.inter=1s,1s')).toThrow(/listed twice/);
  });
});

describe('validateAxes', () => {
  it('accepts known keys with valid values', () => {
    const axes = validateAxes([{ key: 'haproxy.inter', values: ['1s', '2s'] }], DEFS);
    expect(axes).toEqual([{ key: 'haproxy.inter', values: ['1s', '2s'] }]);
  });

  it('an unknown key is an error with a did-you-mean and the list of valid keys', () => {
    let message = '';
    try {
      validateAxes([{ key: 'kube-scheduler.--leader-elect-lease-durtion', values: ['15s'] }], DEFS);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('--set kube-scheduler.--leader-elect-lease-durtion: unknown key (did you mean kube-scheduler.--leader-elect-lease-duration?)');
    expect(message).toContain('valid keys for this scenario:');
    for (const def of DEFS) expect(message).toContain(`  ${def.key} (now ${def.current})`);
  });

  it('a far-off key gets no did-you-mean', () => {
    expect(() => validateAxes([{ key: 'coredns.replicas', values: ['2'] }], DEFS)).toThrow(/unknown key\n/);
  });

  it("values are checked by the scenario's own validation, all problems at once", () => {
    expect(() =>
      validateAxes(
        [
          { key: 'etcd.--election-timeout', values: ['1000', '1s'] },
          { key: 'haproxy.inter', values: ['fast'] },
        ],
        DEFS,
      ),
    ).toThrow('--set etcd.--election-timeout=1s: expected whole milliseconds\n--set haproxy.inter=fast: invalid duration "fast"');
  });

  it('a key swept twice is an error', () => {
    expect(() => validateAxes([{ key: 'haproxy.inter', values: ['1s'] }, { key: 'haproxy.inter', values: ['2s'] }], DEFS)).toThrow(/set more than once/);
  });

  it('didYouMean returns null without candidates or when nothing is close', () => {
    expect(didYouMean('x', [])).toBeNull();
    expect(didYouMean('haproxy.intr', ['haproxy.inter', 'haproxy.fall'])).toBe('haproxy.inter');
    expect(didYouMean('zzzzzzzz', ['haproxy.inter'])).toBeNull();
    expect(didYouMean('--leader-elect-retry-period', DEFS.map((d) => d.key))).toBe('kube-scheduler.--leader-elect-retry-period');
    expect(didYouMean('inter', ['haproxy.inter', 'nlb.inter'])).toBe('haproxy.inter or nlb.inter');
  });
});
