// A small in-memory stand-in for the kube-apiserver tier, speaking the project's HTTP-over-rpc contract
// (src/apiserver/http.ts) so the real REST client, LeaseLock and components can be tested before (and faster
// than) the real etcd + apiserver + LB. Optimistic concurrency (resourceVersion, 409 Conflict), 422 for a Lease
// update without resourceVersion, AlreadyExists, NotFound, generateName, pods/binding, /status updates,
// fieldSelector spec.nodeName, and an `available` switch (false: every request hangs until the client gives up,
// as requests do against an apiserver whose etcd lost quorum).
import { serveRpc, type RpcResponder, type RpcServerRequest } from '../../src/sim/rpc';
import type { ProcessSpec, ProcessContext } from '../../src/sim/process';
import { APISERVER_PORT, type HttpRequest, type HttpResponse } from '../../src/apiserver/http';
import { RESOURCES, formatTime, type KubeObject, type Pod, type ResourceType, type Status, type WatchEvent } from '../../src/apiserver/objects';
import { alreadyExists, conflict, notFound, resourceConflict, resourceVersionRequired, success } from '../../src/apiserver/status';

export interface FakeApiState {
  /** Objects by `resource/namespace/name`. */
  readonly objects: Map<string, KubeObject>;
  revision: number;
  available: boolean;
  /** Requests served, by verb+resource (for tests). */
  readonly requests: Map<string, number>;
  /** Every change, for watches: resource plural, event. */
  readonly history: Array<{ readonly resource: string; readonly namespace: string; readonly event: WatchEvent }>;
  readonly watchers: Set<Watcher>;
}

interface Watcher {
  readonly resource: string;
  readonly namespace: string | null;
  readonly push: (event: WatchEvent) => void;
}

export function newFakeApiState(): FakeApiState {
  return { objects: new Map(), revision: 1, available: true, requests: new Map(), history: [], watchers: new Set() };
}

/** Stores (or with null deletes) an object and tells the watchers; the object's resourceVersion must be set. */
export function commit(state: FakeApiState, resource: ResourceType, namespace: string | null | undefined, name: string, object: KubeObject | null): void {
  const k = key(resource, namespace, name);
  const previous = state.objects.get(k);
  let event: WatchEvent;
  if (object === null) {
    if (previous === undefined) return;
    state.objects.delete(k);
    const last = structuredClone(previous);
    last.metadata.resourceVersion = String(++state.revision);
    event = { type: 'DELETED', object: last };
  } else {
    state.objects.set(k, object);
    event = { type: previous === undefined ? 'ADDED' : 'MODIFIED', object: structuredClone(object) };
  }
  const ns = namespace ?? '';
  state.history.push({ resource: resource.resource, namespace: ns, event });
  for (const w of state.watchers) if (w.resource === resource.resource && (w.namespace === null || w.namespace === ns)) w.push(structuredClone(event));
}

interface Parsed {
  readonly resource: ResourceType;
  readonly namespace: string | null;
  readonly name: string | null;
  readonly sub: string | null;
}

function parsePath(path: string): Parsed | null {
  const parts = path.split('/').filter((p) => p !== '');
  let rest: string[];
  let group: string;
  if (parts[0] === 'api') {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    group = parts[1]!;
    rest = parts.slice(3);
  } else return null;
  let namespace: string | null = null;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const resource = RESOURCES.find((r) => r.group === group && r.resource === rest[0]);
  if (resource === undefined) return null;
  return { resource, namespace, name: rest[1] ?? null, sub: rest[2] ?? null };
}

const key = (r: ResourceType, ns: string | null | undefined, name: string): string => `${r.resource}/${ns ?? ''}/${name}`;
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** The fake apiserver process (listens on 6443 of its host). */
export function fakeApiserverSpec(state: FakeApiState): ProcessSpec {
  return {
    name: 'kube-apiserver',
    create(ctx: ProcessContext) {
      serveRpc(ctx, APISERVER_PORT, (req: RpcServerRequest, respond: RpcResponder) => {
        if (!state.available) return; // hangs: the client's deadline ends it
        const http = req.body as HttpRequest;
        if (http.query?.watch === true) {
          serveWatch(state, http, respond);
          return;
        }
        respond.reply(handle(state, ctx, http));
      });
      return {};
    },
  };
}

function serveWatch(state: FakeApiState, req: HttpRequest, respond: RpcResponder): void {
  const p = parsePath(req.path);
  if (p === null) {
    respond.reply({ code: 404, kind: 'text', text: '404 page not found\n' });
    return;
  }
  const from = Number(req.query?.resourceVersion ?? '0');
  const send = (event: WatchEvent): void => respond.push({ code: 200, kind: 'event', event } satisfies HttpResponse);
  for (const h of state.history) {
    if (h.resource !== p.resource.resource || (p.namespace !== null && h.namespace !== p.namespace)) continue;
    if (Number((h.event.object as KubeObject).metadata.resourceVersion) > from) send(structuredClone(h.event));
  }
  state.watchers.add({ resource: p.resource.resource, namespace: p.namespace, push: send });
}

function obj(code: number, body: KubeObject | Status | { apiVersion: string; kind: string; metadata: object; items: KubeObject[] }): HttpResponse {
  return { code, kind: 'object', body: body as KubeObject };
}

function err(status: Status): HttpResponse {
  return obj(status.code, status);
}

function handle(state: FakeApiState, ctx: ProcessContext, req: HttpRequest): HttpResponse {
  const p = parsePath(req.path);
  if (p === null) return { code: 404, kind: 'text', text: '404 page not found\n' };
  const count = `${req.verb} ${p.resource.resource}${p.sub ? `/${p.sub}` : ''}`;
  state.requests.set(count, (state.requests.get(count) ?? 0) + 1);
  const r = p.resource;
  const clone = <T>(o: T): T => structuredClone(o);
  switch (req.verb) {
    case 'GET': {
      if (p.name === null) {
        let items = [...state.objects.entries()].filter(([k]) => k.startsWith(`${r.resource}/${p.namespace ?? ''}`) || (p.namespace === null && k.startsWith(`${r.resource}/`))).map(([, o]) => o);
        const field = req.query?.fieldSelector;
        if (field?.startsWith('spec.nodeName=')) {
          const node = field.slice('spec.nodeName='.length);
          items = items.filter((o) => ((o as Pod).spec?.nodeName ?? '') === node);
        }
        return obj(200, { apiVersion: r.apiVersion, kind: r.listKind, metadata: { resourceVersion: String(state.revision) }, items: items.map(clone) });
      }
      const o = state.objects.get(key(r, p.namespace, p.name));
      return o === undefined ? err(notFound(r, p.name)) : obj(200, clone(o));
    }
    case 'POST': {
      if (p.sub === 'binding' && p.name !== null) {
        const pod = state.objects.get(key(r, p.namespace, p.name)) as Pod | undefined;
        if (pod === undefined) return err(notFound(r, p.name));
        const target = (req.body as { target: { name: string } }).target.name;
        if ((pod.spec.nodeName ?? '') !== '') return err(conflict('pods/binding', '', 'pods', p.name, `pod ${p.name} is already assigned to node "${pod.spec.nodeName}"`));
        const next = clone(pod);
        next.spec.nodeName = target;
        next.metadata.resourceVersion = String(++state.revision);
        commit(state, r, p.namespace, p.name, next);
        return obj(201, success());
      }
      const body = clone(req.body as KubeObject);
      if (!body.metadata.name && body.metadata.generateName) {
        let suffix = '';
        for (let i = 0; i < 5; i++) suffix += ALPHANUMS[ctx.rng.int(ALPHANUMS.length)];
        body.metadata.name = body.metadata.generateName + suffix;
      }
      const k = key(r, p.namespace ?? body.metadata.namespace, body.metadata.name);
      if (state.objects.has(k)) return err(alreadyExists(r, body.metadata.name));
      body.metadata.uid = ctx.rng.uuid();
      body.metadata.creationTimestamp = formatTime(ctx.wallUs());
      body.metadata.resourceVersion = String(++state.revision);
      if (r.namespaced) body.metadata.namespace = p.namespace ?? body.metadata.namespace ?? 'default';
      commit(state, r, body.metadata.namespace, body.metadata.name, body);
      return obj(201, clone(body));
    }
    case 'PUT': {
      const body = clone(req.body as KubeObject & { spec?: unknown; status?: unknown });
      const name = p.name!;
      const k = key(r, p.namespace, name);
      const current = state.objects.get(k) as (KubeObject & { spec?: unknown; status?: unknown }) | undefined;
      if (current === undefined) return err(notFound(r, name));
      const rv = body.metadata.resourceVersion;
      if (rv === undefined || rv === '') {
        if (!r.allowUnconditionalUpdate) return err(resourceVersionRequired(r, name));
      } else if (rv !== current.metadata.resourceVersion) return err(resourceConflict(r, name));
      const next = p.sub === 'status' ? { ...clone(current), status: body.status } : { ...body, status: current.status };
      next.metadata = { ...clone(current.metadata), ...(p.sub === 'status' ? {} : body.metadata), resourceVersion: String(++state.revision) };
      commit(state, r, p.namespace, name, next);
      return obj(200, clone(next));
    }
    case 'DELETE': {
      const k = key(r, p.namespace, p.name!);
      const current = state.objects.get(k);
      if (current === undefined) return err(notFound(r, p.name!));
      commit(state, r, p.namespace, p.name!, null);
      return obj(200, current);
    }
    default:
      return { code: 405, kind: 'text', text: 'method not allowed' };
  }
}
