// Typed API calls of the components under a Go context (the leading context: when it is done, calls in flight are
// cancelled), with results in the REST client's shape.
import { resourcePath } from '../apiserver/http';
import type { KubeList, KubeObject, Pod, ResourceType, Status } from '../apiserver/objects';
import { PODS } from '../apiserver/objects';
import type { ApiError, ApiResult, ListOptions, RestClient } from '../client/rest-client';
import type { Context } from '../lease/go-context';
import { callInContext } from '../lease/rest-lease-client';

export function listIn<T extends KubeObject>(
  ctx: Context,
  client: RestClient,
  resource: ResourceType<T>,
  namespace: string | null,
  options: Omit<ListOptions, 'deadlineMonoUs' | 'timeoutUs'>,
  done: (result: ApiResult<KubeList<T>>) => void,
): void {
  callInContext(ctx, client, 'GET', resourcePath(resource, namespace, null), (o, cb) => client.list(resource, namespace, { ...options, ...o }, cb), done);
}

export function getIn<T extends KubeObject>(ctx: Context, client: RestClient, resource: ResourceType<T>, namespace: string | null, name: string, done: (result: ApiResult<T>) => void): void {
  callInContext(ctx, client, 'GET', resourcePath(resource, namespace, name), (o, cb) => client.get(resource, namespace, name, o, cb), done);
}

export function createIn<T extends KubeObject>(ctx: Context, client: RestClient, resource: ResourceType<T>, namespace: string | null, object: T, done: (result: ApiResult<T>) => void): void {
  callInContext(ctx, client, 'POST', resourcePath(resource, namespace, null), (o, cb) => client.create(resource, namespace, object, o, cb), done);
}

export function updateIn<T extends KubeObject>(ctx: Context, client: RestClient, resource: ResourceType<T>, object: T, done: (result: ApiResult<T>) => void): void {
  const path = resourcePath(resource, object.metadata.namespace ?? null, object.metadata.name);
  callInContext(ctx, client, 'PUT', path, (o, cb) => client.update(resource, object, o, cb), done);
}

export function updateStatusIn<T extends KubeObject>(ctx: Context, client: RestClient, resource: ResourceType<T>, object: T, done: (result: ApiResult<T>) => void): void {
  const path = resourcePath(resource, object.metadata.namespace ?? null, object.metadata.name, 'status');
  callInContext(ctx, client, 'PUT', path, (o, cb) => client.updateStatus(resource, object, o, cb), done);
}

export function deleteIn<T extends KubeObject>(ctx: Context, client: RestClient, resource: ResourceType<T>, namespace: string | null, name: string, done: (result: ApiResult<T | Status>) => void): void {
  callInContext(ctx, client, 'DELETE', resourcePath(resource, namespace, name), (o, cb) => client.delete(resource, namespace, name, o, cb), done);
}

export function bindIn(ctx: Context, client: RestClient, namespace: string, pod: string, node: string, done: (result: ApiResult<Status>) => void): void {
  callInContext(ctx, client, 'POST', resourcePath(PODS, namespace, pod, 'binding'), (o, cb) => client.bind(namespace, pod, node, o, cb), done);
}

/** How an action's outcome is recorded: `ok`, or `<code> <reason>` / the transport error. */
export function outcomeOf(result: ApiResult<unknown>): string {
  return result.ok ? 'ok' : errorOutcome(result.error);
}

export function errorOutcome(error: ApiError): string {
  return error.kind === 'status' ? `${error.code} ${error.status.reason || 'Failure'}: ${error.message}` : error.message;
}

/** `namespace/name` of an object (or `name` when cluster-scoped). */
export function objectRef(o: KubeObject): string {
  return o.metadata.namespace === undefined ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`;
}

/** A pod the scheduler may place: unassigned, for the default scheduler, not terminating, not finished. */
export function isPendingUnscheduled(pod: Pod): boolean {
  if ((pod.spec.nodeName ?? '') !== '') return false;
  if ((pod.spec.schedulerName ?? 'default-scheduler') !== 'default-scheduler') return false;
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}
