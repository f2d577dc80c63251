// Perfetto / Chrome-trace mappers for the load balancers: each backend server's DOWN periods as slices on the LB
// host's "lb: <server>" track (with HAProxy's log line), VRRP MASTER periods on "vrrp", killed sessions as instants.
// Register with addLbPerfettoMappers(sink) before the run starts.
import type { PerfettoSink } from '../sim/trace-perfetto';
import './trace-events';

export function addLbPerfettoMappers(sink: PerfettoSink): void {
  sink.addMapper('lb.server', (e, api) => {
    if (e.kind !== 'lb.server') return;
    const track = `lb: ${e.server}`;
    if (e.state === 'DOWN') api.begin(e.lb, track, `${e.server} DOWN`, e.tUs, { line: e.line });
    else {
      api.end(e.lb, track, e.tUs);
      api.instant(e.lb, track, `${e.server} UP`, e.tUs, { line: e.line });
    }
  });
  sink.addMapper('lb.backend', (e, api) => {
    if (e.kind === 'lb.backend' && !e.available) api.instant(e.lb, null, e.line, e.tUs);
  });
  sink.addMapper('lb.vrrp', (e, api) => {
    if (e.kind !== 'lb.vrrp') return;
    if (e.state === 'MASTER') api.begin(e.lb, 'vrrp', `MASTER ${e.vip}`, e.tUs, { priority: e.priority });
    else api.end(e.lb, 'vrrp', e.tUs);
  });
  sink.addMapper('lb.session', (e, api) => {
    if (e.kind === 'lb.session' && e.event === 'killed') api.instant(e.lb, `lb: ${e.server}`, 'session killed', e.tUs, { client: e.client });
  });
}
