// The Kubernetes HTTP API as it crosses the simulated network: an HttpRequest in the body of an rpc request frame
// (src/sim/rpc.ts, method = the HTTP verb), an HttpResponse in the body of the response frame; a watch is a
// server stream whose pushed frames each carry one watch event. TLS and HTTP/2 framing are not modelled; the
// connection (through the load balancer, one per client transport) and its failures are.
//
// Shared contract: the apiserver (src/apiserver), the REST client (src/client), the load balancer's HTTP health
// check (src/lb) and kubectl. Change only in agreement with them.
import type { KubeList, KubeObject, ResourceType, Status, WatchEvent } from './objects';
import { formatDurationUs } from '../sim/time';

/** kube-apiserver --secure-port default. */
export const APISERVER_PORT = 6443;

export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** Query parameters the simulated API understands (typed rather than a string map, so nothing is parsed per request). */
export interface HttpQuery {
  /** GET/LIST/WATCH: "" (quorum read), "0" (any, e.g. from the watch cache) or a specific version. */
  readonly resourceVersion?: string;
  readonly watch?: boolean;
  readonly allowWatchBookmarks?: boolean;
  readonly labelSelector?: string;
  /** Only `metadata.name=<name>` and `spec.nodeName=<name>` are understood. */
  readonly fieldSelector?: string;
  readonly limit?: number;
  /** `?timeout=5s`: client-go sends its rest.Config.Timeout; the apiserver uses it as the request deadline. */
  readonly timeoutUs?: number;
  /** Watch: `?timeoutSeconds=`; the server ends the watch then. */
  readonly timeoutSeconds?: number;
  /** /healthz, /livez, /readyz: `?verbose`. */
  readonly verbose?: boolean;
  /** /healthz, /livez, /readyz: `?exclude=etcd&exclude=...`. */
  readonly exclude?: readonly string[];
}

export interface HttpRequest {
  readonly verb: HttpVerb;
  /** The URL path: `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler`, `/readyz`. */
  readonly path: string;
  readonly query: HttpQuery | null;
  /** The JSON body (an object) for POST/PUT, null otherwise. Not to be mutated once sent. */
  readonly body: unknown;
  /** e.g. `kube-scheduler/v1.31.0 (linux/amd64) kubernetes/9b8d5cc/leader-election`. */
  readonly userAgent: string;
}

/** What the apiserver answers. */
export type HttpResponse =
  /** A JSON body: an object, a list, or a metav1.Status (errors, some deletes). */
  | { readonly code: number; readonly kind: 'object'; readonly body: KubeObject | KubeList | Status }
  /** A text/plain body (health endpoints, http.Error). */
  | { readonly code: number; readonly kind: 'text'; readonly text: string }
  /** One event of a watch stream (pushed frames, `more: true`); the stream ends with a final frame. */
  | { readonly code: 200; readonly kind: 'event'; readonly event: WatchEvent };

/** The client's view of the server URL (kubeconfig `server: https://10.0.0.100:6443`). */
export interface ServerAddress {
  readonly address: string;
  readonly port: number;
}

// ------------------------------------------------------------------------------------------------ paths

/** The URL path of a resource collection or object: core `/api/v1/...`, groups `/apis/<group>/<version>/...`. */
export function resourcePath(resource: ResourceType, namespace: string | null, name: string | null, subresource: string | null = null): string {
  let path = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  if (resource.namespaced && namespace !== null) path += `/namespaces/${namespace}`;
  path += `/${resource.resource}`;
  if (name !== null) path += `/${name}`;
  if (subresource !== null) path += `/${subresource}`;
  return path;
}

/** Go's url.QueryEscape: everything but [A-Za-z0-9-_.~] escaped, space as '+'. */
export function queryEscape(value: string): string {
  let out = '';
  for (const ch of value) {
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else for (const byte of new TextEncoder().encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The query string as Go's url.Values.Encode() writes it (keys sorted), without the leading '?'; '' if empty. */
export function formatQuery(query: HttpQuery | null): string {
  if (query === null) return '';
  const pairs: Array<[string, string]> = [];
  if (query.allowWatchBookmarks !== undefined) pairs.push(['allowWatchBookmarks', String(query.allowWatchBookmarks)]);
  if (query.exclude !== undefined) for (const e of query.exclude) pairs.push(['exclude', e]);
  if (query.fieldSelector !== undefined) pairs.push(['fieldSelector', query.fieldSelector]);
  if (query.labelSelector !== undefined) pairs.push(['labelSelector', query.labelSelector]);
  if (query.limit !== undefined) pairs.push(['limit', String(query.limit)]);
  if (query.resourceVersion !== undefined) pairs.push(['resourceVersion', query.resourceVersion]);
  if (query.timeoutUs !== undefined) pairs.push(['timeout', formatDurationUs(query.timeoutUs)]);
  if (query.timeoutSeconds !== undefined) pairs.push(['timeoutSeconds', String(query.timeoutSeconds)]);
  if (query.verbose) pairs.push(['verbose', '']);
  if (query.watch !== undefined) pairs.push(['watch', query.watch ? 'true' : 'false']);
  // url.Values.Encode sorts by key (stable for repeated keys).
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([k, v]) => (v === '' && k === 'verbose' ? 'verbose=' : `${k}=${queryEscape(v)}`)).join('&');
}

/** The full URL as client-go prints it in errors: `https://10.0.0.100:6443/api/v1/nodes?timeout=10s`. */
export function formatUrl(server: ServerAddress, path: string, query: HttpQuery | null): string {
  const q = formatQuery(query);
  return `https://${server.address}:${server.port}${path}${q === '' ? '' : `?${q}`}`;
}

/** Go's url.Error Op for a verb: "Get", "Put", "Post", "Delete", "Patch". */
export function verbOp(verb: HttpVerb): string {
  return verb.charAt(0) + verb.slice(1).toLowerCase();
}

// ------------------------------------------------------------------------------------------------ status text

/** Go's http.StatusText for the codes the simulation produces. */
export function statusText(code: number): string {
  switch (code) {
    case 200:
      return 'OK';
    case 201:
      return 'Created';
    case 400:
      return 'Bad Request';
    case 404:
      return 'Not Found';
    case 405:
      return 'Method Not Allowed';
    case 409:
      return 'Conflict';
    case 410:
      return 'Gone';
    case 422:
      return 'Unprocessable Entity';
    case 429:
      return 'Too Many Requests';
    case 500:
      return 'Internal Server Error';
    case 503:
      return 'Service Unavailable';
    case 504:
      return 'Gateway Timeout';
    default:
      return '';
  }
}
