// Test doubles for the elector, in the shape of client-go's fake clientset: reactors per verb (the first reactor
// registered for a verb handles every call of it), every call recorded as an action; and an environment made of
// a simulated host's process.
import { LEASES, type Lease } from '../../src/apiserver/objects';
import { notFound, resourceConflict } from '../../src/apiserver/status';
import type { Status } from '../../src/apiserver/objects';
import type { Context } from '../../src/lease/go-context';
import type { LeaseCallback, LeaseClient } from '../../src/lease/lease-lock';
import { recordToLeaseSpec, type LeaderElectionRecord } from '../../src/lease/record';
import type { LockError } from '../../src/lease/resource-lock';
import { processElectorEnv } from '../../src/lease/env';
import type { ElectorEnv } from '../../src/lease/elector';
import { Simulation } from '../../src/sim/simulation';
import type { ProcessContext } from '../../src/sim/process';
import { MemorySink } from '../../src/sim/trace';

export type Verb = 'get' | 'create' | 'update';

export interface Action {
  readonly verb: Verb;
  readonly namespace: string;
  readonly name: string;
  /** The object sent (create, update). */
  readonly object: Lease | null;
}

/** What a reactor answers: an object, an error, or (for a reactor that handles the call later) nothing yet. */
export type Reaction = { lease: Lease } | { err: LockError } | 'later';

export type Reactor = (action: Action, respond: (r: { lease: Lease } | { err: LockError }) => void) => Reaction;

export function statusError(status: Status): LockError {
  return { message: status.message ?? '', reason: status.reason ?? '', code: status.code };
}

export function notFoundError(name: string): LockError {
  return statusError(notFound(LEASES, name));
}

export function conflictError(name: string, cause?: string): LockError {
  return statusError(resourceConflict(LEASES, name, cause));
}

export const CONTEXT_CANCELED: LockError = { message: 'context canceled', reason: null, code: 0 };

/** createLockObject: a Lease whose spec holds `record` (an empty spec when record is null). */
export function leaseObject(namespace: string, name: string, record: LeaderElectionRecord | null, resourceVersion = '1'): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { namespace, name, resourceVersion },
    spec: record === null ? {} : recordToLeaseSpec(record),
  };
}

export function record(fields: Partial<LeaderElectionRecord>): LeaderElectionRecord {
  return {
    holderIdentity: '',
    leaseDurationSeconds: 0,
    acquireTimeUs: null,
    renewTimeUs: null,
    leaderTransitions: 0,
    strategy: '',
    preferredHolder: '',
    ...fields,
  };
}

export class FakeLeaseClient implements LeaseClient {
  readonly actions: Action[] = [];
  private readonly reactors: Array<{ verb: Verb | '*'; reactor: Reactor }> = [];
  /** Calls no reactor handled (upstream: "unreachable action. testclient called too many times"). */
  readonly unexpected: Action[] = [];

  /**
   * How responses are delivered: synchronously by default, or through `defer` (e.g. a 1 µs process timer) so that
   * time passes during a call, as it does on a real clock even with client-go's in-memory fake clientset.
   */
  constructor(private readonly defer: ((fn: () => void) => void) | null = null) {}

  addReactor(verb: Verb | '*', reactor: Reactor): this {
    this.reactors.push({ verb, reactor });
    return this;
  }

  getLease(namespace: string, name: string, _ctx: Context, cb: LeaseCallback): void {
    this.call({ verb: 'get', namespace, name, object: null }, cb);
  }

  createLease(lease: Lease, _ctx: Context, cb: LeaseCallback): void {
    this.call({ verb: 'create', namespace: lease.metadata.namespace ?? '', name: lease.metadata.name, object: lease }, cb);
  }

  updateLease(lease: Lease, _ctx: Context, cb: LeaseCallback): void {
    this.call({ verb: 'update', namespace: lease.metadata.namespace ?? '', name: lease.metadata.name, object: lease }, cb);
  }

  private call(action: Action, cb: LeaseCallback): void {
    this.actions.push(action);
    const deliver = (r: { lease: Lease } | { err: LockError }): void => {
      if ('err' in r) cb(r.err, null);
      else cb(null, structuredClone(r.lease));
    };
    const defer = this.defer;
    const respond = defer === null ? deliver : (r: { lease: Lease } | { err: LockError }) => defer(() => deliver(r));
    for (const { verb, reactor } of this.reactors) {
      if (verb !== '*' && verb !== action.verb) continue;
      const reaction = reactor(action, respond);
      if (reaction !== 'later') respond(reaction);
      return;
    }
    this.unexpected.push(action);
    respond({ err: { message: 'unreachable action', reason: null, code: 0 } });
  }
}

/** A one-host simulation with a process whose context gives the elector its clocks, timers, rng and logs. */
export function testProcess(seed: number | string = 1, verbosity = 4): { sim: Simulation; ctx: ProcessContext; env: ElectorEnv; logs: MemorySink } {
  const sim = new Simulation({ seed });
  const logs = new MemorySink(['log']);
  sim.engine.trace.addSink(logs);
  const host = sim.addHost('node-1', { address: '10.0.0.11' });
  let ctx: ProcessContext | null = null;
  host.addProcess({
    name: 'test',
    create(c) {
      ctx = c;
      return {};
    },
  });
  return { sim, ctx: ctx!, env: processElectorEnv(ctx!, verbosity), logs };
}

/** An event recorder like record.FakeRecorder: "<type> <reason> <message>". */
export function fakeRecorder(): { events: string[]; recorder: (lease: Lease, type: string, reason: string, message: string) => void } {
  const events: string[] = [];
  return { events, recorder: (_lease, type, reason, message) => events.push(`${type} ${reason} ${message}`) };
}
