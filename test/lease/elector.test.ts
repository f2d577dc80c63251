// client-go tools/leaderelection/leaderelection_test.go and healthzadaptor_test.go, ported: the same cases, the same
// reactors, the same expectations on results, API interactions, transitions, reported leaders and events.
import { describe, expect, it } from 'vitest';
import { Context } from '../../src/lease/go-context';
import {
  HealthzAdaptor,
  LeaderElectionConfigError,
  LeaderElector,
  newLeaderElector,
  type LeaderElectionConfig,
  type ElectorEnv,
} from '../../src/lease/elector';
import { LeaseLock } from '../../src/lease/lease-lock';
import { rawRecord, type LeaderElectionRecord } from '../../src/lease/record';
import type { ResourceLock } from '../../src/lease/resource-lock';
import type { Lease } from '../../src/apiserver/objects';
import type { Simulation } from '../../src/sim/simulation';
import {
  CONTEXT_CANCELED,
  FakeLeaseClient,
  conflictError,
  fakeRecorder,
  leaseObject,
  notFoundError,
  record,
  testProcess,
  type Reactor,
} from './fakes';

const HOUR_US = 3_600_000_000;
const S = 1_000_000;

function makeLock(client: FakeLeaseClient, recorder: ReturnType<typeof fakeRecorder>['recorder'] | null = null, identity = 'baz'): LeaseLock {
  return new LeaseLock({ namespace: 'foo', name: 'bar', identity, client, eventRecorder: recorder });
}

const get = (fn: Reactor): [string, Reactor] => ['get', fn];

interface TryCase {
  name: string;
  observedRecord?: LeaderElectionRecord;
  /** 'past' / 'future': now -/+ 1000 h; undefined: Go's zero time (far in the past). */
  observedTime?: 'past' | 'future';
  retryAfterUs?: number;
  reactors: Array<[string, Reactor]>;
  expectSuccess: boolean;
  transitionLeader?: boolean;
  outHolder: string;
}

const led = (holderIdentity: string, leaseDurationSeconds = 0): Reactor => (a) => ({ lease: leaseObject(a.namespace, a.name, record({ holderIdentity, leaseDurationSeconds })) });
const echo: Reactor = (a) => ({ lease: a.object! });

const tryCases: TryCase[] = [
  {
    name: 'acquire from no object',
    reactors: [get((a) => ({ err: notFoundError(a.name) })), ['create', echo]],
    expectSuccess: true,
    outHolder: 'baz',
  },
  {
    name: 'acquire from object without annotations',
    reactors: [get((a) => ({ lease: leaseObject(a.namespace, a.name, null) })), ['update', echo]],
    expectSuccess: true,
    transitionLeader: true,
    outHolder: 'baz',
  },
  {
    name: 'acquire from led object with the lease duration seconds',
    reactors: [get(led('bing', 3)), get(led('bing', 3)), ['update', echo]],
    retryAfterUs: 3 * S,
    expectSuccess: true,
    transitionLeader: true,
    outHolder: 'baz',
  },
  {
    name: 'acquire from unled object',
    reactors: [get(led('')), ['update', echo]],
    expectSuccess: true,
    transitionLeader: true,
    outHolder: 'baz',
  },
  {
    name: 'acquire from led, unacked object',
    reactors: [get(led('bing')), ['update', echo]],
    observedRecord: record({ holderIdentity: 'bing' }),
    observedTime: 'past',
    expectSuccess: true,
    transitionLeader: true,
    outHolder: 'baz',
  },
  {
    name: 'acquire from empty led, acked object',
    reactors: [get(led('')), ['update', echo]],
    observedTime: 'future',
    expectSuccess: true,
    transitionLeader: true,
    outHolder: 'baz',
  },
  {
    name: "don't acquire from led, acked object",
    reactors: [get(led('bing'))],
    observedTime: 'future',
    expectSuccess: false,
    outHolder: 'bing',
  },
  {
    name: 'renew already acquired object',
    reactors: [get(led('baz')), ['update', echo]],
    observedTime: 'future',
    observedRecord: record({ holderIdentity: 'baz' }),
    expectSuccess: true,
    outHolder: 'baz',
  },
];

function electorFor(lock: ResourceLock, env: ElectorEnv, onNewLeader: (id: string) => void, overrides: Partial<LeaderElectionConfig> = {}): LeaderElector {
  // Upstream builds the struct directly (no validation): LeaseDuration 10 s, the rest zero.
  return new LeaderElector(
    { lock, leaseDurationUs: 10 * S, renewDeadlineUs: 0, retryPeriodUs: 0, callbacks: { onStartedLeading: null, onStoppedLeading: null, onNewLeader }, ...overrides },
    env,
  );
}

function runSync(fn: (cb: (ok: boolean) => void) => void): boolean {
  let result: boolean | null = null;
  fn((ok) => (result = ok));
  if (result === null) throw new Error('the call did not complete synchronously');
  return result;
}

/** Calls fn and runs the simulation until it calls back (responses take 1 µs). */
function runCall(sim: Simulation, fn: (cb: (ok: boolean) => void) => void): boolean {
  let result: boolean | null = null;
  fn((ok) => (result = ok));
  sim.runUntil(sim.engine.nowUs + 1000);
  if (result === null) throw new Error('the call did not complete');
  return result;
}

describe('TestTryAcquireOrRenewLeases', () => {
  for (const test of tryCases) {
    it(test.name, () => {
      const { sim, env, ctx: proc } = testProcess();
      const client = new FakeLeaseClient((fn) => proc.setTimer(1, fn));
      for (const [verb, reactor] of test.reactors) client.addReactor(verb as 'get', reactor);
      const { events, recorder } = fakeRecorder();
      let reported: string | null = null;
      const le = electorFor(makeLock(client, recorder), env, (id) => (reported = id));
      le.observedRecord = test.observedRecord ?? record({});
      le.observedRawRecord = rawRecord(le.observedRecord);
      le.observedTimeMonoUs = test.observedTime === undefined ? -Infinity : env.monoUs() + (test.observedTime === 'past' ? -1000 : 1000) * HOUR_US;

      const ctx = Context.background();
      if (test.expectSuccess !== runCall(sim, (cb) => le.tryAcquireOrRenew(ctx, cb))) {
        expect(test.retryAfterUs, 'unexpected result of tryAcquireOrRenew').toBeDefined();
        sim.runUntil(sim.engine.nowUs + test.retryAfterUs!);
        expect(runCall(sim, (cb) => le.tryAcquireOrRenew(ctx, cb))).toBe(test.expectSuccess);
      }
      expect(le.observedRecord.holderIdentity).toBe(test.outHolder);
      expect(client.actions).toHaveLength(test.reactors.length);
      expect(client.unexpected).toEqual([]);
      expect(le.observedRecord.leaderTransitions).toBe(test.transitionLeader ? 1 : 0);
      le.maybeReportTransition();
      expect(reported).toBe(test.outHolder);
      expect(events).toEqual([]);
    });
  }

  it('renew already acquired object: the fast path fails locally (no cached lease), then get + update', () => {
    const { env } = testProcess();
    const client = new FakeLeaseClient().addReactor('get', led('baz')).addReactor('update', echo);
    const le = electorFor(makeLock(client), env, () => {});
    le.observedRecord = record({ holderIdentity: 'baz' });
    le.observedRawRecord = rawRecord(le.observedRecord);
    le.observedTimeMonoUs = env.monoUs() + 1000 * HOUR_US;
    expect(runSync((cb) => le.tryAcquireOrRenew(Context.background(), cb))).toBe(true);
    expect(client.actions.map((a) => a.verb)).toEqual(['get', 'update']);
  });
});

describe('TestReleaseLeaseLeases', () => {
  it('release acquired lock from no object', () => {
    const { env } = testProcess();
    // As upstream: the first "get" reactor handles every get, so the second (NotFound) is never reached.
    const client = new FakeLeaseClient()
      .addReactor('get', led('baz'))
      .addReactor('create', echo)
      .addReactor('update', echo)
      .addReactor('get', (a) => ({ err: notFoundError(a.name) }));
    const { events, recorder } = fakeRecorder();
    const reported: string[] = [];
    const le = electorFor(makeLock(client, recorder), env, (id) => reported.push(id));
    le.observedRawRecord = rawRecord(le.observedRecord);
    expect(runSync((cb) => le.tryAcquireOrRenew(Context.background(), cb))).toBe(true);
    le.maybeReportTransition();
    expect(reported).toEqual(['baz']);
    expect(runSync((cb) => le.release(cb))).toBe(true);
    expect(le.observedRecord.holderIdentity).toBe('');
    expect(client.actions).toHaveLength(4);
    expect(le.observedRecord.leaderTransitions).toBe(0);
    le.maybeReportTransition();
    expect(reported).toEqual(['baz', '']);
    expect(events).toEqual([]);
    // The release writes holder "" with leaseDurationSeconds 1.
    const released = client.actions[3]!.object!;
    expect(released.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
  });

  it('TestReleaseMethodCallsGet', () => {
    const { env } = testProcess();
    let getCalled = false;
    const client = new FakeLeaseClient()
      .addReactor('get', (a) => {
        getCalled = true;
        return { lease: leaseObject(a.namespace, a.name, record({ holderIdentity: 'baz', leaseDurationSeconds: 10 })) };
      })
      .addReactor('update', echo);
    const le = electorFor(makeLock(client), env, () => {});
    le.observedRecord = record({ holderIdentity: 'baz' });
    le.observedRawRecord = rawRecord(le.observedRecord);
    le.observedTimeMonoUs = env.monoUs();
    runSync((cb) => le.release(cb));
    expect(getCalled).toBe(true);
  });

  it('release gives up on a conflict (v0.34), or retries it when releaseRetriesOnConflict (v0.36)', () => {
    for (const retries of [false, true]) {
      const { env, logs } = testProcess();
      let updates = 0;
      const client = new FakeLeaseClient().addReactor('get', led('baz', 10)).addReactor('update', (a) => (++updates === 1 ? { err: conflictError(a.name) } : { lease: a.object! }));
      const le = electorFor(makeLock(client), env, () => {}, { releaseRetriesOnConflict: retries });
      le.observedRecord = record({ holderIdentity: 'baz' });
      le.observedTimeMonoUs = env.monoUs();
      const ok = runSync((cb) => le.release(cb));
      expect(ok).toBe(retries);
      expect(client.actions.map((a) => a.verb)).toEqual(retries ? ['get', 'update', 'get', 'update'] : ['get', 'update']);
      if (!retries) {
        expect(logs.ofKind('log').map((e) => e.msg)).toContain(
          'Failed to release lock: Operation cannot be fulfilled on leases.coordination.k8s.io "bar": the object has been modified; please apply your changes to the latest version and try again',
        );
      }
    }
  });
});

describe('TestReleaseOnCancellation_Leases', () => {
  // LeaseDuration 15 s, RenewDeadline 2 s, RetryPeriod 1 s, ReleaseOnCancel.
  function run(reactorsFor: (state: { lockObj: Lease | null; cancel: () => void; onRelease: () => void }) => Array<[string, Reactor]>) {
    const { sim, env } = testProcess();
    const { events, recorder } = fakeRecorder();
    const client = new FakeLeaseClient();
    const ctx = Context.background().withCancel();
    let started = false;
    let released = false;
    let stoppedLeading = false;
    const state = {
      lockObj: null as Lease | null,
      cancel: () => ctx.cancel(),
      onRelease: () => (released = true),
    };
    for (const [verb, reactor] of reactorsFor(state)) client.addReactor(verb as 'get', reactor);
    const le = newLeaderElector(
      {
        lock: makeLock(client, recorder),
        leaseDurationUs: 15 * S,
        renewDeadlineUs: 2 * S,
        retryPeriodUs: 1 * S,
        releaseOnCancel: true,
        callbacks: { onNewLeader: () => {}, onStoppedLeading: () => (stoppedLeading = true), onStartedLeading: () => (started = true) },
      },
      env,
    );
    le.run(ctx);
    sim.runUntil(60 * S);
    return { started, released, stoppedLeading, events, client, le };
  }

  it('release acquired lock on cancellation of update', () => {
    let gets = 0;
    let updates = 0;
    const r = run((state) => [
      [
        'get',
        (a) => {
          gets++;
          return state.lockObj !== null ? { lease: state.lockObj } : { err: notFoundError(a.name) };
        },
      ],
      [
        'create',
        (a) => {
          state.lockObj = a.object;
          return { lease: state.lockObj! };
        },
      ],
      [
        'update',
        (a) => {
          updates++;
          // Skip initial two fast path renews
          if (updates % 2 === 1 && updates < 5) return { err: CONTEXT_CANCELED };
          // Second update (first renew) should return our canceled error
          if (updates === 4) {
            state.cancel();
            return { err: CONTEXT_CANCELED };
          }
          if (updates === 5) state.onRelease();
          state.lockObj = a.object;
          return { lease: state.lockObj! };
        },
      ],
    ]);
    expect(r.started).toBe(true);
    expect(r.released).toBe(true);
    expect(r.stoppedLeading).toBe(true);
    expect(r.events).toEqual(['Normal LeaderElection baz became leader', 'Normal LeaderElection baz stopped leading']);
    expect(r.client.actions.at(-1)!.object!.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(gets).toBe(4);
  });

  it('release acquired lock on cancellation of get', () => {
    let gets = 0;
    let updates = 0;
    const r = run((state) => [
      [
        'get',
        (a) => {
          gets++;
          if (state.lockObj !== null) {
            // Third and more get (first create, second renew) should return our canceled error
            if (gets >= 4) {
              if (gets === 4) state.cancel();
              return { err: CONTEXT_CANCELED };
            }
            return { lease: state.lockObj };
          }
          return { err: notFoundError(a.name) };
        },
      ],
      [
        'create',
        (a) => {
          state.lockObj = a.object;
          return { lease: state.lockObj! };
        },
      ],
      [
        'update',
        (a) => {
          updates++;
          // Always skip fast path renew
          if (updates % 2 === 1) return { err: CONTEXT_CANCELED };
          // Second update (first renew) should release the lock
          if (updates === 4) state.onRelease();
          state.lockObj = a.object;
          return { lease: state.lockObj! };
        },
      ],
    ]);
    expect(r.started).toBe(true);
    expect(r.released).toBe(true);
    expect(r.stoppedLeading).toBe(true);
    expect(r.events).toEqual(['Normal LeaderElection baz became leader', 'Normal LeaderElection baz stopped leading']);
  });
});

describe('TestLeaderElectionConfigValidation', () => {
  const { env } = testProcess();
  const base = (identity = 'baz'): LeaderElectionConfig => ({
    lock: makeLock(new FakeLeaseClient(), null, identity),
    leaseDurationUs: 15 * S,
    renewDeadlineUs: 2 * S,
    retryPeriodUs: 1 * S,
    releaseOnCancel: true,
    callbacks: { onNewLeader: () => {}, onStoppedLeading: () => {}, onStartedLeading: () => {} },
  });

  it('accepts a valid config and rejects an empty lock identity', () => {
    expect(() => newLeaderElector(base(), env)).not.toThrow();
    expect(() => newLeaderElector(base(''), env)).toThrow(new LeaderElectionConfigError('Lock identity is empty'));
  });

  it("checks in NewLeaderElector's order, with its messages", () => {
    const cases: Array<[Partial<LeaderElectionConfig>, string]> = [
      [{ leaseDurationUs: 10 * S, renewDeadlineUs: 10 * S }, 'leaseDuration must be greater than renewDeadline'],
      [{ renewDeadlineUs: 2_400_000, retryPeriodUs: 2 * S }, 'renewDeadline must be greater than retryPeriod*JitterFactor'],
      // A negative lease duration fails the first check already (-1 <= renewDeadline), as in client-go.
      [{ leaseDurationUs: -1 }, 'leaseDuration must be greater than renewDeadline'],
      [{ renewDeadlineUs: 0, retryPeriodUs: -1 }, 'renewDeadline must be greater than zero'],
      [{ retryPeriodUs: 0 }, 'retryPeriod must be greater than zero'],
      [{ callbacks: { onStartedLeading: null, onStoppedLeading: () => {} } }, 'OnStartedLeading callback must not be nil'],
      [{ callbacks: { onStartedLeading: () => {}, onStoppedLeading: null } }, 'OnStoppedLeading callback must not be nil'],
      [{ lock: null }, 'Lock must not be nil.'],
    ];
    for (const [patch, message] of cases) {
      expect(() => newLeaderElector({ ...base(), ...patch }, env), message).toThrow(new LeaderElectionConfigError(message));
    }
    // The defaults of the core components are valid.
    expect(() => newLeaderElector({ ...base(), leaseDurationUs: 15 * S, renewDeadlineUs: 10 * S, retryPeriodUs: 2 * S }, env)).not.toThrow();
  });
});

describe('TestFastPathLeaderElection', () => {
  function run(onUpdate: (updates: number, cancel: () => void, name: string) => { err: ReturnType<typeof conflictError> } | null): string[] {
    const { sim, env } = testProcess();
    const lockOps: string[] = [];
    let lockObj: Lease | null = null;
    let updates = 0;
    const ctx = Context.background().withCancel();
    const client = new FakeLeaseClient()
      .addReactor('get', (a) => {
        lockOps.push('get');
        return lockObj !== null ? { lease: lockObj } : { err: notFoundError(a.name) };
      })
      .addReactor('create', (a) => {
        lockOps.push('create');
        lockObj = a.object;
        return { lease: lockObj! };
      })
      .addReactor('update', (a) => {
        updates++;
        lockOps.push('update');
        const r = onUpdate(updates, () => ctx.cancel(), a.name);
        if (r !== null) return r;
        lockObj = a.object;
        return { lease: lockObj! };
      });
    let returned = false;
    const le = newLeaderElector(
      {
        lock: makeLock(client),
        leaseDurationUs: 15 * S,
        renewDeadlineUs: 2 * S,
        retryPeriodUs: 1 * S,
        callbacks: { onNewLeader: () => {}, onStoppedLeading: () => {}, onStartedLeading: () => {} },
      },
      env,
    );
    le.run(ctx, () => (returned = true));
    sim.runUntil(60 * S);
    expect(returned).toBe(true);
    return lockOps;
  }

  it('Exercise fast path after lock acquired', () => {
    const ops = run((n, cancel) => {
      if (n === 2) cancel();
      return null;
    });
    expect(ops).toEqual(['get', 'create', 'update', 'update']);
  });

  it('Fallback to slow path after fast path fails', () => {
    const ops = run((n, cancel, name) => {
      if (n === 2) return { err: conflictError(name, 'fake conflict') };
      if (n === 4) cancel();
      return null;
    });
    expect(ops).toEqual(['get', 'create', 'update', 'update', 'get', 'update', 'update']);
  });
});

describe('TestLeaderElectionHealthChecker', () => {
  const { env, sim } = testProcess();
  const fakeLock: ResourceLock = {
    get: (_c, cb) => cb(null, null, null),
    create: (_c, _r, cb) => cb(null),
    update: (_c, _r, cb) => cb(null),
    recordEvent: () => {},
    identity: () => 'healthTest',
    describe: () => 'Dummy implementation of lock for testing',
  };
  const elector = (holder: string): LeaderElector => {
    const le = new LeaderElector(
      { lock: fakeLock, leaseDurationUs: 60 * S, renewDeadlineUs: 0, retryPeriodUs: 0, name: 'foo', callbacks: { onStartedLeading: null, onStoppedLeading: null } },
      env,
    );
    le.observedRecord = record({ holderIdentity: holder });
    le.observedTimeMonoUs = env.monoUs();
    return le;
  };
  const cases: Array<[string, string | null, string | null, number]> = [
    ['call check before leader elector initialized', null, null, 0],
    ['call check when the lease is far expired', 'healthTest', 'failed election to renew leadership on lease foo', HOUR_US],
    ['call check when the lease is far expired but held by another server', 'otherServer', null, HOUR_US],
    ['call check when the lease is not expired', 'healthTest', null, 0],
    ['call check when the lease is expired but inside the timeout', 'healthTest', null, 61 * S],
  ];
  for (const [description, holder, expected, advanceUs] of cases) {
    it(description, () => {
      const adaptor = new HealthzAdaptor(20 * S);
      expect(adaptor.name).toBe('leaderElection');
      if (holder !== null) {
        const le = elector(holder);
        adaptor.setLeaderElection(le);
        sim.runUntil(sim.engine.nowUs + advanceUs);
      }
      expect(adaptor.check()).toBe(expected);
    });
  }
});

describe('TestLeaseSpecToLeaderElectionRecordRoundTrip', () => {
  it('round-trips a spec through the record', async () => {
    const { leaseSpecToRecord, recordToLeaseSpec } = await import('../../src/lease/record');
    const spec = {
      holderIdentity: 'foo',
      leaseDurationSeconds: 10,
      acquireTime: '2025-01-01T00:00:12.345678Z',
      renewTime: '2025-01-01T00:00:13.000001Z',
      leaseTransitions: 1,
    };
    const rec = leaseSpecToRecord(spec);
    expect(recordToLeaseSpec(rec)).toEqual(spec);
    expect(leaseSpecToRecord(recordToLeaseSpec(rec))).toEqual(rec);
  });
});
