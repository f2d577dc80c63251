// One trace event -> one timeline line (or nothing). Components' event kinds are described here as they are wired
// into the cluster; unknown kinds are left out of the timeline (they are all in the ndjson output).
import type { TraceEvent } from '../sim/trace';
import type { Scenario } from '../scenario/types';
import '../raft/trace-events';

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

export function describeEvent(e: TraceEvent, _scenario: Scenario): TimelineLine | null {
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
        ? { tUs: e.tUs, text: `${e.host} ${e.proc} starts acting as leader of ${e.lease} (${e.identity})` }
        : { tUs: e.tUs, text: `${e.host} ${e.proc} stops acting as leader of ${shortLease(e.lease)} (${e.reason})` };
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
