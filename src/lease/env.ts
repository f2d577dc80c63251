// The elector's environment taken from a process: its host's clocks and timers, its random stream, klog lines as
// trace `log` events (built only when a sink records them).
import type { ProcessContext } from '../sim/process';
import type { ElectorEnv } from './elector';

/** klog -v for V(n) lines; 0 as kubeadm's static pods run (no -v flag). */
export function processElectorEnv(ctx: ProcessContext, verbosity = 0): ElectorEnv {
  const trace = ctx.host.engine.trace;
  return {
    monoUs: ctx.monoUs,
    wallUs: ctx.wallUs,
    setTimer: ctx.setTimer,
    clearTimer: ctx.clearTimer,
    rng: ctx.rng,
    log: ctx.log,
    logging: () => trace.wants('log'),
    verbosity,
  };
}
