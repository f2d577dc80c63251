// Kubernetes events the components record (client-go's record.EventRecorder): "<id> became leader",
// "Node x status is now: NodeNotReady", ... Kept as trace events (kind `k8s.event`); posting them as Event
// objects through the API is not modelled (the event broadcaster writes them asynchronously, best effort).
import type { ProcessContext } from '../sim/process';

declare module '../sim/trace' {
  interface TraceEventMap {
    /** An event recorded by a component: `object` is `Kind/namespace/name` (or `Kind/name`). */
    'k8s.event': { host: string; component: string; object: string; type: 'Normal' | 'Warning'; reason: string; message: string };
  }
}

export function recordEvent(ctx: ProcessContext, component: string, object: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
  const trace = ctx.host.engine.trace;
  if (trace.wants('k8s.event')) trace.emit('k8s.event', { host: ctx.host.name, component, object, type, reason, message });
}
