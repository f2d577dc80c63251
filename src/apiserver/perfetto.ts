// Perfetto / Chrome-trace mappers for the apiservers: periods when /healthz, /livez or /readyz answered 500 (with
// the failed checks), as seen by whoever asked (LB checks, probes), on each apiserver host's "kube-apiserver
// /<endpoint>" track, and lifecycle phases; client request failures as
// instants on the client's track. Register with addApiserverPerfettoMappers(sink) before the run starts.
import type { PerfettoSink } from '../sim/trace-perfetto';
import './trace-events';
import '../client/trace-events';

export function addApiserverPerfettoMappers(sink: PerfettoSink): void {
  sink.addMapper('apiserver.health', (e, api) => {
    if (e.kind !== 'apiserver.health') return;
    const track = `kube-apiserver /${e.endpoint}`;
    api.end(e.host, track, e.tUs);
    if (e.code !== 200) api.begin(e.host, track, `${e.endpoint} failing`, e.tUs, { failed: e.failed });
  });
  sink.addMapper('apiserver.lifecycle', (e, api) => {
    if (e.kind === 'apiserver.lifecycle') api.instant(e.host, 'kube-apiserver', e.phase, e.tUs);
  });
  sink.addMapper('client.error', (e, api) => {
    if (e.kind === 'client.error') api.instant(e.host, e.proc, 'request failed', e.tUs, { verb: e.verb, code: e.code, message: e.message });
  });
}
