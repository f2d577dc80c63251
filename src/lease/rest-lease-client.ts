// LeaseLock's client on the simulated client-go REST client, with Go context semantics: the context's deadline is
// the request's (the client applies the earlier of it and its own rest.Config.Timeout, and reports
// `<Op> "<url>": context deadline exceeded` when it passes); cancelling the context aborts the request in flight
// (RST_STREAM) and fails it with `<Op> "<url>": context canceled`, as net/http does.
import { formatUrl, resourcePath, verbOp, type HttpVerb } from '../apiserver/http';
import { LEASES, type Lease, type ResourceType } from '../apiserver/objects';
import type { ApiError, ApiResult, RequestHandle, RequestOptions, RestClient } from '../client/rest-client';
import type { Context } from './go-context';
import type { LeaseCallback, LeaseClient } from './lease-lock';
import type { LockError } from './resource-lock';

/** A client error in the shape the elector logs and classifies. */
export function lockErrorOf(error: ApiError): LockError {
  return error.kind === 'status' ? { message: error.message, reason: error.status.reason ?? '', code: error.code } : { message: error.message, reason: null, code: 0 };
}

/** The error a request gets when its context is cancelled (or was already done when it started). */
export function contextError(client: RestClient, verb: HttpVerb, path: string, err: string): ApiError {
  const query = client.timeoutUs > 0 ? { timeoutUs: client.timeoutUs } : null;
  const url = formatUrl(client.server, path, query);
  return { kind: 'transport', cause: 'deadline', sent: false, inner: err, url, message: `${verbOp(verb)} "${url}": ${err}` };
}

/**
 * Runs one client call under `ctx`. `start` issues the call with the options it is given; `done` gets its result
 * exactly once.
 */
export function callInContext<T>(
  ctx: Context,
  client: RestClient,
  verb: HttpVerb,
  path: string,
  start: (options: RequestOptions, cb: (result: ApiResult<T>) => void) => RequestHandle,
  done: (result: ApiResult<T>) => void,
): void {
  if (ctx.err !== null) {
    done({ ok: false, error: contextError(client, verb, path, ctx.err) });
    return;
  }
  let finished = false;
  const onCtxDone = (): void => {
    // A deadline is the client's to report (same instant, with its own text); a cancellation is ours.
    if (finished || ctx.err !== 'context canceled') return;
    finished = true;
    handle.cancel();
    done({ ok: false, error: contextError(client, verb, path, 'context canceled') });
  };
  const options: RequestOptions = ctx.deadlineMonoUs === Infinity ? NO_OPTIONS : { deadlineMonoUs: ctx.deadlineMonoUs };
  const handle = start(options, (result) => {
    if (finished) return;
    finished = true;
    ctx.offDone(onCtxDone);
    done(result);
  });
  if (!finished) ctx.onDone(onCtxDone);
}

const NO_OPTIONS: RequestOptions = {};

/** coordinationv1 Leases over a RestClient (the leader-election clientset: Timeout max(1 s, RenewDeadline/2)). */
export class RestLeaseClient implements LeaseClient {
  constructor(readonly client: RestClient) {}

  getLease(namespace: string, name: string, ctx: Context, cb: LeaseCallback): void {
    this.run(ctx, 'GET', resourcePath(LEASES, namespace, name), (o, r) => this.client.get(LEASES, namespace, name, o, r), cb);
  }

  createLease(lease: Lease, ctx: Context, cb: LeaseCallback): void {
    const namespace = lease.metadata.namespace ?? null;
    this.run(ctx, 'POST', resourcePath(LEASES, namespace, null), (o, r) => this.client.create(LEASES, namespace, lease, o, r), cb);
  }

  updateLease(lease: Lease, ctx: Context, cb: LeaseCallback): void {
    const path = resourcePath(LEASES as ResourceType, lease.metadata.namespace ?? null, lease.metadata.name);
    this.run(ctx, 'PUT', path, (o, r) => this.client.update(LEASES, lease, o, r), cb);
  }

  private run(
    ctx: Context,
    verb: HttpVerb,
    path: string,
    start: (options: RequestOptions, cb: (result: ApiResult<Lease>) => void) => RequestHandle,
    cb: LeaseCallback,
  ): void {
    callInContext(ctx, this.client, verb, path, start, (result) => {
      if (result.ok) cb(null, result.object);
      else cb(lockErrorOf(result.error), null);
    });
  }
}
