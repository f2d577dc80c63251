// systemd units for control-plane components run outside the kubelet (Kubernetes The Hard Way style: `systemctl
// stop kube-scheduler` applies): started at boot, `Restart=on-failure` with `RestartSec=5s`. A unit stopped with
// `systemctl stop` (SIGTERM, then SIGKILL after the grace period) or that exits cleanly (status 0, or death by
// SIGTERM) is not restarted; a crash or a non-zero exit is.
import type { Engine } from '../sim/engine';
import type { ExitInfo, Process } from '../sim/process';

export const SYSTEMD_RESTART_SEC_US = 5_000_000;

export function superviseWithSystemd(engine: Engine, process: Process, restartSecUs = SYSTEMD_RESTART_SEC_US): void {
  let stopping = false;
  const stop = process.stop.bind(process);
  // `systemctl stop`: remember that the stop was asked for, so the death that follows is not a failure.
  process.stop = (graceUs: number): void => {
    stopping = true;
    stop(graceUs);
  };
  process.onExit((p: Process, info: ExitInfo) => {
    const requested = stopping;
    stopping = false;
    if (requested || info.kind === 'host-crash') return;
    const clean = info.kind === 'exit' && (info.code === 0 || info.code === 143);
    if (clean) return;
    engine.schedule(restartSecUs, () => {
      if (p.host.up && !p.alive) p.start('restarted by systemd (Restart=on-failure)');
    });
  });
}
