// One trace event -> one timeline line (or nothing). Components' event kinds are described here as they are wired
// into the cluster; kinds not described are left out of the timeline (they are all in the ndjson output).
import type { TraceEvent } from '../sim/trace';
import type { Scenario } from '../scenario/types';
import '../raft/trace-events';
import '../apiserver/trace-events';
import '../lb/trace-events';
import '../kubelet/static-pods';
import '../cluster/trace-events';
import '../controllers/events';
import { isInspectionProcess } from '../cluster/exec';
import { statusText } from '../apiserver/http';

export interface TimelineLine {
  readonly tUs: number;
  readonly text: string;
  /** Lines with the same key are folded into one ("renews lease kube-scheduler x9, every ~2.0s until ..."). */
  readonly fold?: string;
  /** A line that ends every fold in progress (a fault, an inspection, a violation). */
  readonly breaksFold?: boolean;
  /** Ends the folds whose key contains this text (a leadership change of one lease ends that lease's folds). */
  readonly breaks?: string;
  /** Lines at the same instant with the same merge key become one: `${prefix} ${items.join(', ')}${suffix}`. */
  readonly merge?: { readonly key: string; readonly prefix: string; readonly item: string; readonly suffix: string };
  /** Verbatim output printed under the line (inspection output). */
  readonly block?: string;
}

function shortLease(lease: string): string {
  return lease.startsWith('kube-system/') ? lease.slice('kube-system/'.length) : lease;
}

const secs = (us: number): string => `${(us / 1e6).toFixed(3).replace(/\.?0+$/, '')}s`;

/** Turns trace events into timeline lines; keeps the little state needed (who acts as leader of what). */
export class EventDescriber {
  /** lease (namespace/name) -> host acting as its leader. */
  private readonly acting = new Map<string, string>();
  /**
   * lease -> the replica that stopped acting as its leader and has not exited yet: its next PUT is the release
   * (ReleaseOnCancel), sent before the process exits.
   */
  private readonly stopped = new Map<string, { host: string; proc: string }>();
  private apiAnswered = false;

  constructor(readonly scenario: Scenario) {}

  describe(e: TraceEvent): TimelineLine | null {
    if (e.kind === 'lease.acting') {
      if (e.state === 'start') {
        this.acting.set(e.lease, e.host);
        this.stopped.delete(e.lease);
      } else if (this.acting.get(e.lease) === e.host) {
        this.acting.delete(e.lease);
        this.stopped.set(e.lease, { host: e.host, proc: e.proc });
      }
    }
    if (e.kind === 'proc.state' && (e.state === 'exited' || e.state === 'crashed')) {
      for (const [lease, who] of this.stopped) if (who.host === e.host && who.proc === e.proc) this.stopped.delete(lease);
    }
    if (e.kind === 'apiserver.request') return leaseRequest(e, this.acting, this.stopped);
    if (e.kind === 'cluster.api' && e.available && !this.apiAnswered) {
      this.apiAnswered = true;
      return { tUs: e.tUs, text: 'client: the API answers through the load balancer' };
    }
    return describeEvent(e);
  }
}

function describeEvent(e: TraceEvent): TimelineLine | null {
  switch (e.kind) {
    case 'fault':
      if (e.detail.includes(' skipped: ')) return { tUs: e.tUs, text: `fault ${e.detail}`, breaksFold: true };
      if (e.action === 'heal') return { tUs: e.tUs, text: `network heals${e.target === 'all' ? '' : ` around ${e.target}`}`, breaksFold: true };
      if (e.action === 'isolate') return { tUs: e.tUs, text: `${e.target} is cut off from every other host`, breaksFold: true };
      if (e.action === 'partition') return { tUs: e.tUs, text: `network partition ${e.target}`, breaksFold: true };
      return { tUs: e.tUs, text: `${e.target.replace('/', ' ')} ${faultWords(e.action, e.target, e.detail)}`, breaksFold: true };
    case 'host.state':
      return e.tUs === 0 ? null : { tUs: e.tUs, text: `${e.host} ${e.up ? 'boots' : 'is down'}` };
    case 'proc.state':
      return procState(e);
    case 'lease.acting': {
      const lease = shortLease(e.lease);
      return e.state === 'start'
        ? { tUs: e.tUs, text: `${e.host} ${e.proc} starts acting as leader of ${e.lease} (${e.identity})`, breaks: lease }
        : { tUs: e.tUs, text: `${e.host} ${e.proc} stops acting as leader of ${lease} (${e.reason})`, breaks: lease };
    }
    case 'etcd.leader':
      if (e.elected) return { tUs: e.tUs, text: `${e.host} etcd is elected leader at term ${e.term}` };
      if (e.lead === '') return { tUs: e.tUs, text: `${e.host} etcd lost leader ${e.previous || '(none)'} at term ${e.term}` };
      return null;
    case 'lb.server':
      return { tUs: e.tUs, text: `${e.lb} haproxy: ${e.line}` };
    case 'lb.backend':
      return { tUs: e.tUs, text: `${e.lb} haproxy: ${e.line}` };
    case 'lb.vrrp':
      return { tUs: e.tUs, text: `${e.lb} keepalived: ${e.line}` };
    case 'kubelet.static-pod':
      if (e.action === 'back-off') return { tUs: e.tUs, text: `${e.host} kubelet: back-off ${secs(e.backoffUs)} restarting failed container ${e.pod} (CrashLoopBackOff)` };
      return null;
    case 'cluster.api':
      return { tUs: e.tUs, text: e.available ? 'client: the API answers again through the load balancer' : `client: the API is unavailable through the load balancer (${e.detail})` };
    case 'k8s.event':
      // leader election and static pod events are told by their own lines
      if (e.reason === 'LeaderElection' || e.component === 'kubelet') return null;
      return { tUs: e.tUs, text: `${e.host} ${e.component}: ${e.type} ${e.reason} ${e.object}: ${e.message}` };
    case 'cluster.start-delay':
      return { tUs: e.tUs, text: `${e.host} ${e.proc} begins work after its start delay of ${secs(e.delayUs)}` };
    case 'violation':
      return { tUs: e.tUs, text: `VIOLATION ${e.invariant}: ${e.message}`, breaksFold: true };
    default:
      return null;
  }
}

function procState(e: TraceEvent<'proc.state'>): TimelineLine | null {
  if (e.tUs === 0 && e.state === 'running') return null;
  if (isInspectionProcess(e.proc)) return null;
  switch (e.state) {
    case 'running': {
      if (e.detail === '') return { tUs: e.tUs, text: `${e.host} ${e.proc} resumes` };
      const by = /started by kubelet/.test(e.detail) ? 'kubelet starts' : `starts (${e.detail}):`;
      return {
        tUs: e.tUs,
        text: `${e.host} ${e.proc} starts (${e.detail})`,
        merge: { key: `${e.host} start ${e.detail}`, prefix: `${e.host} ${by}`, item: e.proc, suffix: '' },
      };
    }
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
}

const LEASE_PATH = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/?]+))?$/;

/** A leader-election request (client-go's leaselock, user agent ".../leader-election") as the apiserver served it. */
function leaseRequest(e: TraceEvent<'apiserver.request'>, acting: ReadonlyMap<string, string>, stopped: Map<string, { host: string; proc: string }>): TimelineLine | null {
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
      const key = `${m[1]}/${name}`;
      const holder = acting.get(key);
      if (holder === undefined && stopped.get(key)?.host === e.host && stopped.get(key)?.proc === component) {
        stopped.delete(key);
        return { tUs: e.tUs, text: `${who} releases lease ${lease} (holderIdentity "", leaseDurationSeconds 1)` };
      }
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

/** Go's http.StatusText, or "Error" for a code it has no text for here. */
function statusWord(code: number): string {
  return statusText(code) || 'Error';
}

function faultWords(action: string, target: string, detail: string): string {
  // describeFault gives "<action> <target> ..."; the timeline puts the target first.
  const rest = detail.split(' ').slice(2).join(' ');
  const isProcess = target.includes('/');
  switch (action) {
    case 'crash':
      return isProcess ? 'killed (SIGKILL)' : 'crash (power off)';
    case 'stop':
      return isProcess ? 'systemctl stop (SIGTERM, SIGKILL after the grace period)' : 'shutdown';
    case 'restart':
      return isProcess ? `killed and started again${rest ? ` ${rest}` : ''}` : `power cycle${rest ? ` ${rest}` : ''}`;
    default:
      return rest ? `${action} ${rest}` : action;
  }
}
