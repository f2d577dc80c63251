// Maps a URL path to what it names (the apiserver's RequestInfoResolver for the paths the simulation serves).
// Parsed routes are cached by path: the control plane hits the same few paths over and over (lease renewals,
// node status), so a request's routing is one Map lookup.
import { RESOURCES, type ResourceType } from './objects';

export type Route =
  | { readonly kind: 'health'; readonly endpoint: 'healthz' | 'livez' | 'readyz'; readonly check: string | null }
  | {
      readonly kind: 'resource';
      readonly resource: ResourceType;
      readonly namespace: string | null;
      readonly name: string | null;
      readonly subresource: string | null;
    }
  | { readonly kind: 'version' }
  | { readonly kind: 'not-found' };

const NOT_FOUND: Route = { kind: 'not-found' };
const CACHE_LIMIT = 10_000;

/** "group/version" -> resource plural -> type. */
const byGroupVersion = new Map<string, Map<string, ResourceType>>();
for (const r of RESOURCES) {
  const gv = r.group === '' ? r.version : `${r.group}/${r.version}`;
  let m = byGroupVersion.get(gv);
  if (m === undefined) byGroupVersion.set(gv, (m = new Map()));
  m.set(r.resource, r);
}

export class Router {
  private readonly cache = new Map<string, Route>();

  route(path: string): Route {
    let route = this.cache.get(path);
    if (route === undefined) {
      route = parse(path);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(path, route);
    }
    return route;
  }
}

function parse(path: string): Route {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return NOT_FOUND;
  const head = parts[0]!;
  if (head === 'healthz' || head === 'livez' || head === 'readyz') {
    if (parts.length === 1) return { kind: 'health', endpoint: head, check: null };
    return { kind: 'health', endpoint: head, check: parts.slice(1).join('/') };
  }
  if (head === 'version' && parts.length === 1) return { kind: 'version' };
  let rest: string[];
  let gv: string;
  if (head === 'api' && parts.length >= 2) {
    gv = parts[1]!;
    rest = parts.slice(2);
  } else if (head === 'apis' && parts.length >= 3) {
    gv = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  } else return NOT_FOUND;
  const resources = byGroupVersion.get(gv);
  if (resources === undefined) return NOT_FOUND;
  let namespace: string | null = null;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return NOT_FOUND;
  const resource = resources.get(rest[0]!);
  if (resource === undefined) return NOT_FOUND;
  if (resource.namespaced !== (namespace !== null) && rest.length > 1) return NOT_FOUND;
  if (!resource.namespaced && namespace !== null) return NOT_FOUND;
  return { kind: 'resource', resource, namespace, name: rest[1] ?? null, subresource: rest[2] ?? null };
}
