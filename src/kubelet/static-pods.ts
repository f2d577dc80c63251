// The kubelet's supervision of static pods (/etc/kubernetes/manifests on a kubeadm control-plane host: etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler), restartPolicy Always, with CrashLoopBackOff.
//
// - On kubelet start, static pods that are not running are started at the first PLEG relist (1 s period).
// - A container exit (any status, 0 included: restartPolicy Always) is noticed at the next relist; the pod worker
//   then syncs: if the container is still in its back-off window (IsInBackOffSince(finishedAt)) the sync fails
//   with CrashLoopBackOff and the pod is requeued after Jitter(10 s, 0.5); otherwise the container is started again
//   and its back-off moves to the next mark (flowcontrol.Backoff: 10 s doubling to 300 s, reset once it ran more
//   than 10 minutes). So the first restart is immediate, then ~10 s, ~20 s, ... as kubelets really do.
// - The back-off state lives in the kubelet's memory: a restarted kubelet starts from scratch.
import type { ExitInfo, Process, ProcessContext } from '../sim/process';
import { jitterUs } from '../lease/wait';
import { Backoff } from './backoff';
import { recordEvent } from '../controllers/events';

export interface StaticPodsConfig {
  /** The processes of this host that are static pods (started and restarted by the kubelet). */
  readonly pods: readonly string[];
  /** kubelet backOffPeriod: CrashLoopBackOff's initial back-off. Default 10 s. */
  readonly initialBackoffUs?: number;
  /** MaxContainerBackOff. Default 300 s. */
  readonly maxBackoffUs?: number;
  /** PLEG relist period. Default 1 s. */
  readonly plegRelistPeriodUs?: number;
  /** Pod worker requeue after a failed sync: Jitter(backOffPeriod, 0.5). Default 10 s. */
  readonly podWorkerBackoffUs?: number;
}

declare module '../sim/trace' {
  interface TraceEventMap {
    /** The kubelet restarted (or first started) a static pod's container; `restarts` counts restarts so far. */
    'kubelet.static-pod': { host: string; pod: string; action: 'start' | 'restart' | 'back-off'; backoffUs: number; restarts: number };
  }
}

export class StaticPodSupervisor {
  private readonly backoff: Backoff;
  private readonly finishedAtMonoUs = new Map<string, number>();
  private readonly restarts = new Map<string, number>();
  /** A sync is already scheduled for this pod. */
  private readonly pending = new Set<string>();
  private readonly relistUs: number;
  private readonly workerBackoffUs: number;
  private readonly startedMonoUs: number;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly config: StaticPodsConfig,
  ) {
    this.backoff = new Backoff(config.initialBackoffUs ?? 10_000_000, config.maxBackoffUs ?? 300_000_000);
    this.relistUs = config.plegRelistPeriodUs ?? 1_000_000;
    this.workerBackoffUs = config.podWorkerBackoffUs ?? 10_000_000;
    this.startedMonoUs = ctx.monoUs();
  }

  start(): void {
    for (const name of this.config.pods) {
      const process = this.ctx.host.process(name);
      process.onExit(this.ctx.bind((p: Process, info: ExitInfo) => this.exited(p, info)));
      this.scheduleSync(name, this.relistUs);
    }
  }

  /** Restart count of a static pod's container since this kubelet started. */
  restartCount(name: string): number {
    return this.restarts.get(name) ?? 0;
  }

  private exited(process: Process, info: ExitInfo): void {
    if (info.kind === 'host-crash') return; // the kubelet dies with its host
    const name = process.name;
    this.finishedAtMonoUs.set(name, this.ctx.monoUs());
    // Noticed at the next PLEG relist.
    const sinceStart = this.ctx.monoUs() - this.startedMonoUs;
    this.scheduleSync(name, this.relistUs - (sinceStart % this.relistUs));
  }

  private scheduleSync(name: string, delayUs: number): void {
    if (this.pending.has(name)) return;
    this.pending.add(name);
    this.ctx.setTimer(delayUs, () => {
      this.pending.delete(name);
      this.sync(name);
    });
  }

  private sync(name: string): void {
    const process = this.ctx.host.process(name);
    if (process.alive || !this.ctx.host.up) return;
    const now = this.ctx.monoUs();
    const finishedAt = this.finishedAtMonoUs.get(name);
    const podName = `${name}-${this.ctx.host.name}`;
    const trace = this.ctx.host.engine.trace;
    if (finishedAt !== undefined && this.backoff.isInBackOffSince(name, finishedAt, now)) {
      const backoffUs = this.backoff.get(name);
      const message = `back-off ${formatSeconds(backoffUs)} restarting failed container=${name} pod=${podName}_kube-system`;
      this.ctx.log('error', `"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"${name}\\" with CrashLoopBackOff: \\"${message}\\"" pod="kube-system/${podName}"`);
      recordEvent(this.ctx, 'kubelet', `Pod/kube-system/${podName}`, 'Warning', 'BackOff', 'Back-off restarting failed container');
      if (trace.wants('kubelet.static-pod')) trace.emit('kubelet.static-pod', { host: this.ctx.host.name, pod: name, action: 'back-off', backoffUs, restarts: this.restartCount(name) });
      this.scheduleSync(name, jitterUs(this.workerBackoffUs, 0.5, this.ctx.rng));
      return;
    }
    const restart = finishedAt !== undefined;
    if (restart) {
      this.backoff.next(name, finishedAt, now);
      this.restarts.set(name, this.restartCount(name) + 1);
    }
    this.finishedAtMonoUs.delete(name);
    recordEvent(this.ctx, 'kubelet', `Pod/kube-system/${podName}`, 'Normal', 'Started', `Started container ${name}`);
    if (trace.wants('kubelet.static-pod')) {
      trace.emit('kubelet.static-pod', { host: this.ctx.host.name, pod: name, action: restart ? 'restart' : 'start', backoffUs: this.backoff.get(name), restarts: this.restartCount(name) });
    }
    process.start(restart ? 'restarted by kubelet' : 'started by kubelet');
  }
}

function formatSeconds(us: number): string {
  const s = us / 1_000_000;
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}
