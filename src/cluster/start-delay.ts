// `topology.startDelays`: a process whose first start is delayed (image pull, kubeadm's join order). The process is
// started as usual (by the kubelet or at boot) but does nothing for the delay; later starts are immediate.
import type { ProcessSpec } from '../sim/process';
import './trace-events';

export function delayFirstStart(spec: ProcessSpec, delayUs: number | undefined): ProcessSpec {
  if (delayUs === undefined || delayUs <= 0) return spec;
  let started = false;
  return {
    ...spec,
    create(ctx) {
      if (started) return spec.create(ctx);
      started = true;
      let inner: ReturnType<ProcessSpec['create']> | null = null;
      ctx.setTimer(delayUs, () => {
        const trace = ctx.host.engine.trace;
        if (trace.wants('cluster.start-delay')) trace.emit('cluster.start-delay', { host: ctx.host.name, proc: spec.name, delayUs });
        inner = spec.create(ctx);
      });
      return {
        terminate: () => {
          if (inner?.terminate) inner.terminate();
          else ctx.exit(0, 'terminated');
        },
      };
    },
  };
}
