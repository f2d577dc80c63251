import { describe, expect, it } from 'vitest';
import { leaseSpecToRecord, rawRecord, recordToLeaseSpec } from '../../src/lease/record';
import { record } from './fakes';

const T0 = Date.UTC(2025, 0, 1, 0, 0, 12) * 1000; // 2025-01-01T00:00:12Z in µs

describe('rawRecord (json.Marshal of LeaderElectionRecord)', () => {
  it("has the Go struct's field order and names, metav1.Time in whole seconds, zero times as null", () => {
    expect(rawRecord(record({ holderIdentity: 'cp-1_a', leaseDurationSeconds: 15, acquireTimeUs: T0 + 265_025, renewTimeUs: T0 + 2_465_776, leaderTransitions: 2 }))).toBe(
      '{"holderIdentity":"cp-1_a","leaseDurationSeconds":15,"acquireTime":"2025-01-01T00:00:12Z","renewTime":"2025-01-01T00:00:14Z","leaderTransitions":2,"strategy":"","preferredHolder":""}',
    );
    expect(rawRecord(record({}))).toBe(
      '{"holderIdentity":"","leaseDurationSeconds":0,"acquireTime":null,"renewTime":null,"leaderTransitions":0,"strategy":"","preferredHolder":""}',
    );
  });

  it('two renewals within the same wall-clock second give the same raw record; the next second differs', () => {
    const at = (renewUs: number) => rawRecord(record({ holderIdentity: 'a', leaseDurationSeconds: 15, acquireTimeUs: T0, renewTimeUs: renewUs }));
    expect(at(T0 + 100_000)).toBe(at(T0 + 999_999));
    expect(at(T0 + 999_999)).not.toBe(at(T0 + 1_000_000));
    // The Lease itself keeps microseconds.
    const spec = recordToLeaseSpec(record({ holderIdentity: 'a', leaseDurationSeconds: 15, acquireTimeUs: T0, renewTimeUs: T0 + 100_000 }));
    expect(spec.renewTime).toBe('2025-01-01T00:00:12.100000Z');
    expect(rawRecord(leaseSpecToRecord(spec))).toBe(at(T0 + 999_999));
  });
});

describe('LeaderElectionRecord <-> LeaseSpec', () => {
  it('always writes holderIdentity (empty after a release) and omits empty strategy/preferredHolder', () => {
    expect(recordToLeaseSpec(record({ holderIdentity: '', leaseDurationSeconds: 1, acquireTimeUs: T0, renewTimeUs: T0, leaderTransitions: 3 }))).toEqual({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: '2025-01-01T00:00:12.000000Z',
      renewTime: '2025-01-01T00:00:12.000000Z',
      leaseTransitions: 3,
    });
  });

  it('reads an empty spec as the zero record', () => {
    expect(leaseSpecToRecord({})).toEqual(record({}));
  });
});
