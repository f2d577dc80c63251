// kubectl equivalents, run as short-lived client processes inside a simulation:
//   kubectl get --raw /healthz|/livez|/readyz[?verbose]      (through the LB, or --server to one apiserver)
//   kubectl get lease -n kube-system
//   kubectl get lease kube-scheduler -n kube-system -o yaml
//   kubectl get nodes [-o wide]
//   kubectl get pods -A [-o wide]
// Each run opens its own connection (a fresh transport), prints what kubectl prints, and exits with kubectl's
// code: stdout gets the output, stderr the errors as kubectl's StandardErrorMessage renders them
// ("Error from server (NotFound): ...", "Unable to connect to the server: EOF", "The connection to the server
// 10.0.0.100:6443 was refused - did you specify the right host or port?"), exit code 1 on error.
import type { Host } from '../../sim/host';
import type { ProcessContext, ProcessSpec } from '../../sim/process';
import { parseDurationUs } from '../../sim/time';
import { RESOURCES, LEASES, NODES, PODS, REPLICASETS, type KubeList, type KubeObject, type ResourceType } from '../../apiserver/objects';
import { APISERVER_PORT, type HttpQuery } from '../../apiserver/http';
import { RestClient, RestTransport, type ApiError } from '../rest-client';
import { toKubectlYaml } from './yaml';
import { LEASE_PRINTER, NODE_PRINTER, POD_PRINTER, REPLICASET_PRINTER, printTable, type TablePrinter } from './printers';

export interface KubectlResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface KubectlOptions {
  /** The kubeconfig's server, e.g. `https://10.0.0.100:6443` (the LB VIP). `--server` overrides it. */
  readonly server: string;
  /** The kubeconfig context's namespace. Default "default". */
  readonly namespace?: string;
}

interface ParsedGet {
  readonly raw: string | null;
  readonly resource: string | null;
  readonly name: string | null;
  readonly namespace: string | null;
  readonly allNamespaces: boolean;
  readonly output: 'table' | 'wide' | 'yaml' | 'json' | 'name';
  readonly server: string | null;
  readonly requestTimeoutUs: number;
}

class UsageError extends Error {}

/** Splits a command line as a shell would for the simple cases kubectl users type (quotes supported). */
export function splitArgs(command: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let current = '';
  let lastEnd = -1;
  for (const m of command.matchAll(re)) {
    const piece = m[1] ?? m[2] ?? m[3] ?? '';
    if (m.index === lastEnd) current += piece;
    else {
      if (lastEnd !== -1) out.push(current);
      current = piece;
    }
    lastEnd = m.index + m[0].length;
  }
  if (lastEnd !== -1) out.push(current);
  return out;
}

function outputFormat(o: string): ParsedGet['output'] {
  if (o !== 'yaml' && o !== 'json' && o !== 'wide' && o !== 'name') {
    throw new UsageError(`error: unable to match a printer suitable for the output format "${o}", allowed formats are: json,name,wide,yaml`);
  }
  return o;
}

function parseGet(args: readonly string[]): ParsedGet {
  let raw: string | null = null;
  let namespace: string | null = null;
  let allNamespaces = false;
  let output: ParsedGet['output'] = 'table';
  let server: string | null = null;
  let requestTimeoutUs = 0;
  const positional: string[] = [];
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined) throw new UsageError(`error: flag needs an argument: ${flag}`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, null];
    const take = (): string => (inline !== null ? inline : value(i++, flag));
    switch (flag) {
      case '--raw':
        raw = take();
        break;
      case '-n':
      case '--namespace':
        namespace = take();
        break;
      case '-A':
      case '--all-namespaces':
        allNamespaces = true;
        break;
      case '-o':
      case '--output':
        output = outputFormat(take());
        break;
      case '-s':
      case '--server':
        server = take();
        break;
      case '--request-timeout': {
        const t = take();
        requestTimeoutUs = /^\d+$/.test(t) ? Number(t) * 1_000_000 : parseDurationUs(t);
        break;
      }
      default:
        if (a.startsWith('-n') && a.length > 2) namespace = a.slice(2);
        else if (a.startsWith('-o') && a.length > 2) output = outputFormat(a.slice(2));
        else if (a.startsWith('-')) throw new UsageError(`error: unknown flag: ${flag}\nSee 'kubectl get --help' for usage.`);
        else positional.push(a);
    }
  }
  if (raw !== null && positional.length > 0) throw new UsageError('error: arguments may not be passed when --raw is specified');
  if (raw === null && positional.length === 0) {
    throw new UsageError(
      "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples",
    );
  }
  return { raw, resource: positional[0] ?? null, name: positional[1] ?? null, namespace, allNamespaces, output, server, requestTimeoutUs };
}

/** The resource a kubectl type argument names: plural, singular, kind, short name or plural.group. */
export function resolveResourceType(arg: string): ResourceType | null {
  const lower = arg.toLowerCase();
  for (const r of RESOURCES) {
    if (lower === r.resource || lower === r.singular || lower === r.kind.toLowerCase() || r.shortNames.includes(lower) || lower === r.qualified) return r;
  }
  return null;
}

function printerFor(resource: ResourceType): TablePrinter<KubeObject> {
  if (resource === (LEASES as ResourceType)) return LEASE_PRINTER as unknown as TablePrinter<KubeObject>;
  if (resource === (NODES as ResourceType)) return NODE_PRINTER as unknown as TablePrinter<KubeObject>;
  if (resource === (PODS as ResourceType)) return POD_PRINTER as unknown as TablePrinter<KubeObject>;
  if (resource === (REPLICASETS as ResourceType)) return REPLICASET_PRINTER as unknown as TablePrinter<KubeObject>;
  return {
    columns: ['NAME', 'AGE'],
    wideColumns: [],
    row: (o) => [o.metadata.name, ''],
  };
}

/** kubectl's StandardErrorMessage + checkErr rendering (without the trailing newline). */
export function kubectlErrorMessage(error: ApiError): string {
  if (error.kind === 'status') {
    const reason = error.status.reason ?? '';
    if (reason === 'Invalid') {
      const details = error.status.details;
      const causes = details?.causes ?? [];
      if (details !== undefined && (details.kind || details.name)) {
        const head = `The ${details.kind ?? ''} "${details.name ?? ''}" is invalid`;
        return causes.length === 1 ? `${head}: ${causes[0]!.field}: ${causes[0]!.message}` : causes.length > 1 ? `${head}: \n${causes.map((c) => `* ${c.field}: ${c.message}`).join('\n')}` : head;
      }
    }
    return reason === '' ? `Error from server: ${error.message}` : `Error from server (${reason}): ${error.message}`;
  }
  if (error.message.includes(' - error from a previous attempt: ') || error.cause === 'rate-limited') {
    return error.message.startsWith('error: ') ? error.message : `error: ${error.message}`;
  }
  if (error.inner.includes('connection refused')) {
    const host = /^https?:\/\/([^/]+)/.exec(error.url)?.[1] ?? error.url;
    return `The connection to the server ${host} was refused - did you specify the right host or port?`;
  }
  return `Unable to connect to the server: ${error.inner}`;
}

function stripManagedFields(object: KubeObject): KubeObject {
  const meta = object.metadata as unknown as Record<string, unknown>;
  if (!('managedFields' in meta)) return object;
  const { managedFields: _drop, ...rest } = meta;
  void _drop;
  return { ...object, metadata: rest as unknown as KubeObject['metadata'] };
}

function parseServer(url: string): { address: string; port: number } {
  const m = /^(?:https?:\/\/)?([^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (m === null) throw new UsageError(`error: invalid server URL "${url}"`);
  return { address: m[1]!, port: m[2] === undefined ? APISERVER_PORT : Number(m[2]) };
}

/** Splits `/readyz?verbose&exclude=etcd` into a path and the typed query. */
function rawPathQuery(raw: string): { path: string; query: HttpQuery | null } {
  const q = raw.indexOf('?');
  if (q < 0) return { path: raw, query: null };
  const query: { verbose?: boolean; exclude?: string[]; timeoutUs?: number } = {};
  for (const part of raw.slice(q + 1).split('&')) {
    const [k, v = ''] = part.split('=');
    if (k === 'verbose') query.verbose = true;
    else if (k === 'exclude') (query.exclude ??= []).push(decodeURIComponent(v));
  }
  return { path: raw.slice(0, q), query };
}

/** Runs `kubectl <args>` in `ctx`; calls done once with the result. */
export function runKubectlIn(ctx: ProcessContext, argv: readonly string[], options: KubectlOptions, done: (result: KubectlResult) => void): void {
  const finish = (stdout: string, stderr: string, exitCode: number): void => done({ stdout, stderr, exitCode });
  let parsed: ParsedGet;
  try {
    if (argv[0] !== 'get') throw new UsageError(`error: unknown command "${argv[0] ?? ''}" for "kubectl"\n\nDid you mean this?\n\tget`);
    parsed = parseGet(argv.slice(1));
  } catch (e) {
    if (e instanceof UsageError) return finish('', `${e.message}\n`, 1);
    throw e;
  }
  let server: { address: string; port: number };
  try {
    server = parseServer(parsed.server ?? options.server);
  } catch (e) {
    if (e instanceof UsageError) return finish('', `${e.message}\n`, 1);
    throw e;
  }
  const transport = new RestTransport(ctx, { server });
  const client = new RestClient(transport, { qps: 50, burst: 300, timeoutUs: parsed.requestTimeoutUs, userAgent: 'kubectl/v1.31.0 (linux/amd64) kubernetes/0000000' });
  const end = (stdout: string, stderr: string, exitCode: number): void => {
    transport.close();
    finish(stdout, stderr, exitCode);
  };
  const fail = (error: ApiError): void => end('', `${kubectlErrorMessage(error)}\n`, 1);

  if (parsed.raw !== null) {
    const { path, query } = rawPathQuery(parsed.raw);
    client.getRaw(path, query, {}, (r) => (r.ok ? end(r.text, '', 0) : fail(r.error)));
    return;
  }
  const resource = resolveResourceType(parsed.resource!);
  if (resource === null) return end('', `error: the server doesn't have a resource type "${parsed.resource}"\n`, 1);
  const namespace = resource.namespaced ? (parsed.allNamespaces && parsed.name === null ? null : (parsed.namespace ?? options.namespace ?? 'default')) : null;
  const now = (): number => ctx.wallUs();
  const render = (items: KubeObject[], single: KubeObject | null): string => {
    switch (parsed.output) {
      case 'yaml':
        return toKubectlYaml(single !== null ? stripManagedFields(single) : { apiVersion: 'v1', items: items.map(stripManagedFields), kind: 'List', metadata: { resourceVersion: '' } });
      case 'json':
        return `${JSON.stringify(single !== null ? stripManagedFields(single) : { apiVersion: 'v1', items: items.map(stripManagedFields), kind: 'List', metadata: { resourceVersion: '' } }, null, 4)}\n`;
      case 'name':
        return items.map((o) => `${resource.group === '' ? resource.singular : `${resource.singular}.${resource.group}`}/${o.metadata.name}\n`).join('');
      case 'table':
      case 'wide':
        return printTable(printerFor(resource), items, now(), { allNamespaces: namespace === null && resource.namespaced, wide: parsed.output === 'wide' });
    }
  };
  if (parsed.name !== null) {
    client.get(resource, namespace, parsed.name, {}, (r) => (r.ok ? end(render([r.object], r.object), '', 0) : fail(r.error)));
    return;
  }
  client.list(resource, namespace, { limit: 500 }, (r) => {
    if (!r.ok) return fail(r.error);
    const items = [...(r.object as KubeList).items].sort((a, b) =>
      (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '') ? cmp(a.metadata.name, b.metadata.name) : cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? ''),
    );
    if (items.length === 0 && (parsed.output === 'table' || parsed.output === 'wide')) {
      return end('', namespace === null ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`, 0);
    }
    end(render(items, null), '', 0);
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const runCounters = new WeakMap<Host, number>();

export interface KubectlRun {
  /** Set when the command has finished. */
  result: KubectlResult | null;
}

/**
 * Starts `kubectl <command>` now as a process on `host` (e.g. an admin workstation or a control-plane node); the
 * run's `result` is filled in when it finishes, and `onDone` is called. The process exits with kubectl's code.
 */
export function runKubectl(host: Host, command: string | readonly string[], options: KubectlOptions, onDone?: (result: KubectlResult) => void): KubectlRun {
  const argv = typeof command === 'string' ? splitArgs(command.replace(/^kubectl\s+/, '')) : command;
  const n = (runCounters.get(host) ?? 0) + 1;
  runCounters.set(host, n);
  const run: KubectlRun = { result: null };
  const spec: ProcessSpec = {
    name: `kubectl-${n}`,
    create(ctx) {
      runKubectlIn(ctx, argv, options, (result) => {
        run.result = result;
        onDone?.(result);
        ctx.exit(result.exitCode, 'kubectl finished');
      });
      return {};
    },
  };
  host.addProcess(spec);
  return run;
}
