// One trace event -> one timeline line (or nothing). Components' event kinds are described here as they are wired
// into the cluster; unknown kinds are left out of the timeline (they are all in the ndjson output).
import type { TraceEvent } from '../sim/trace';
import type { Scenario } from '../scenario/types';
import '../raft/trace-events';
import '../apiserver/trace-events';

export interface TimelineLine {
  readonly tUs: number;
  readonly text: string;
  /** Lines with the same key in a row are folded into one ("renewed x9, every ~2.0s until ..."). */
  readonly fold?: string;
  /** The folded line's text (defaults to the first line's). */
  readonly foldText?: string;
  /** A line that ends any fold in progress (a fault, an inspection). */
  readonly breaksFold?: boolean;
  /** Verbatim output printed under the line (inspection output). */
  readonly block?: string;
}

function shortLease(lease: string): string {
  return lease.startsWith('kube-system/') ? lease.slice('kube-system/'.length) : lease;
}

/** Turns trace events into timeline lines; keeps the little state needed (who acts as leader of what). */
export class EventDescriber {
  /** lease (namespace/name) -> host acting as its leader. */
  private readonly acting = new Map<string, string>();

  constructor(readonly scenario: Scenario) {}

  describe(e: TraceEvent): TimelineLine | null {
    if (e.kind === 'lease.acting') {
      if (e.state === 'start') this.acting.set(e.lease, e.host);
      else if (this.acting.get(e.lease) === e.host) this.acting.delete(e.lease);
    }
    if (e.kind === 'apiserver.request') return leaseRequest(e, this.acting);
    return describeEvent(e);
  }
}

function describeEvent(e: TraceEvent): TimelineLine | null {
  switch (e.kind) {
    case 'fault':
      return { tUs: e.tUs, text: `${e.target} ${faultWords(e.action, e.detail)}`, breaksFold: true };
    case 'host.state':
      return e.tUs === 0 ? null : { tUs: e.tUs, text: `${e.host} ${e.up ? 'boots' : 'is down'}` };
    case 'proc.state': {
      if (e.tUs === 0 && e.state === 'running') return null;
      switch (e.state) {
        case 'running':
          return { tUs: e.tUs, text: `${e.host} ${e.proc} ${e.detail === '' ? 'resumes' : `starts (${e.detail})`}` };
        case 'paused':
          return { tUs: e.tUs, text: `${e.host} ${e.proc} paused` };
        case 'stopping':
          return { tUs: e.tUs, text: `${e.host} ${e.proc} stopping (${e.detail || 'SIGTERM'})` };
        case 'crashed':
          return e.detail === 'host crashed' || e.detail === 'shut down' ? null : { tUs: e.tUs, text: `${e.host} ${e.proc} killed (${e.detail})` };
        case 'exited':
          return { tUs: e.tUs, text: `${e.host} ${e.proc} exits (${e.detail})` };
        case 'starting':
          return null;
      }
      return null;
    }
    case 'lease.acting':
      return e.state === 'start'
        ? { tUs: e.tUs, text: `${e.host} ${e.proc} starts acting as leader of ${e.lease} (${e.identity})`, breaksFold: true }
        : { tUs: e.tUs, text: `${e.host} ${e.proc} stops acting as leader of ${shortLease(e.lease)} (${e.reason})`, breaksFold: true };
    case 'etcd.leader':
      if (e.elected) return { tUs: e.tUs, text: `${e.host} etcd is elected leader at term ${e.term}` };
      if (e.lead === '') return { tUs: e.tUs, text: `${e.host} etcd lost leader ${e.previous || '(none)'} at term ${e.term}` };
      return null;
    case 'violation':
      return { tUs: e.tUs, text: `VIOLATION ${e.invariant}: ${e.message}`, breaksFold: true };
    default:
      return null;
  }
}

const LEASE_PATH = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/?]+))?$/;

/** A leader-election request (client-go's leaselock, user agent ".../leader-election") as the apiserver served it. */
function leaseRequest(e: TraceEvent<'apiserver.request'>, acting: ReadonlyMap<string, string>): TimelineLine | null {
  if (!e.userAgent.endsWith('/leader-election')) return null;
  const m = LEASE_PATH.exec(e.path);
  if (m === null) return null;
  const component = e.userAgent.split('/')[0]!;
  // a create (POST to the collection) names no lease in its path: it is the component's own
  const name = m[2] ?? component;
  const lease = m[1] === 'kube-system' ? name : `${m[1]}/${name}`;
  // kubeadm points the components at their own host's apiserver: the apiserver's host is the caller's.
  const who = `${e.host} ${component}`;
  const ok = e.code >= 200 && e.code < 300;
  if (!ok) return { tUs: e.tUs, text: `${who} ${e.verb} lease ${lease}: ${e.code} ${statusWord(e.code)}` };
  switch (e.verb) {
    case 'PUT': {
      const holder = acting.get(`${m[1]}/${name}`);
      if (holder !== e.host) {
        return { tUs: e.tUs, text: `${who} takes lease ${lease}${holder !== undefined ? ` (${holder} still acts as its leader)` : ''}` };
      }
      return { tUs: e.tUs, text: `${who} renews lease ${lease}`, fold: `renew ${who} ${lease}` };
    }
    case 'GET':
      return { tUs: e.tUs, text: `${who} reads lease ${lease}`, fold: `get ${who} ${lease}` };
    case 'POST':
      return { tUs: e.tUs, text: `${who} creates lease ${lease}` };
    default:
      return null;
  }
}

function statusWord(code: number): string {
  switch (code) {
    case 404:
      return 'Not Found';
    case 409:
      return 'Conflict';
    case 500:
      return 'Internal Server Error';
    case 503:
      return 'Service Unavailable';
    case 504:
      return 'Gateway Timeout';
    default:
      return 'Error';
  }
}

function faultWords(action: string, detail: string): string {
  // describeFault gives "<action> <target> ..."; the timeline puts the target first.
  const rest = detail.split(' ').slice(2).join(' ');
  switch (action) {
    case 'crash':
      return 'crash';
    case 'stop':
      return `stop (SIGTERM)${rest ? ` ${rest}` : ''}`;
    default:
      return rest ? `${action} ${rest}` : action;
  }
}
