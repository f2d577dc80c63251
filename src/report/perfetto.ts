// Mappers that give the Perfetto / Chrome trace its meaning: leadership as slices on the leader's track, next to
// the process lifetimes, faults and violations the sink already draws (src/sim/trace-perfetto.ts).
import type { PerfettoSink } from '../sim/trace-perfetto';
import './trace-kinds';

function shortLease(lease: string): string {
  return lease.startsWith('kube-system/') ? lease.slice('kube-system/'.length) : lease;
}

/** Registers the cluster's mappers on a sink (before the run starts). */
export function addPerfettoMappers(sink: PerfettoSink): void {
  addEtcdMappers(sink);
  // the load balancer's view of each backend: UP / DOWN slices on the LB host
  sink.addMapper('lb.server', (e, api) => {
    if (e.kind !== 'lb.server') return;
    api.begin(e.lb, `backend ${e.server}`, e.state, e.tUs, { line: e.line });
  });
  // the API probe's verdict through the load balancer, as a counter (1 available, 0 not)
  sink.addMapper('cluster.api', (e, api) => {
    if (e.kind === 'cluster.api') api.counter('client', 'API available through the LB', e.tUs, { available: e.available ? 1 : 0 });
  });
  sink.addMapper('k8s.event', (e, api) => {
    if (e.kind === 'k8s.event' && e.reason !== 'LeaderElection') api.instant(e.host, e.component, `${e.reason} ${e.object}`, e.tUs, { message: e.message });
  });
  sink.addMapper('lease.acting', (e, api) => {
    if (e.kind !== 'lease.acting') return;
    const track = `leader: ${shortLease(e.lease)}`;
    if (e.state === 'start') api.begin(e.host, track, `leading ${e.lease}`, e.tUs, { identity: e.identity, process: e.proc });
    else api.end(e.host, track, e.tUs);
  });
}

/** etcd leadership as slices on each member's "etcd leader" track. */
export function addEtcdMappers(sink: PerfettoSink): void {
  sink.addMapper('raft.role', (e, api) => {
    if (e.kind !== 'raft.role') return;
    if (e.role === 'leader') api.begin(e.host, 'etcd leader', `leader term ${e.term}`, e.tUs, { member: e.member, term: e.term });
    else api.end(e.host, 'etcd leader', e.tUs);
  });
}
