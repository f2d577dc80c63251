// The real control plane for end-to-end tests: the shared cluster builder (etcd doing Raft, kube-apiservers,
// kube-scheduler and kube-controller-manager replicas), plus, where the builder does not install one yet, a
// kubelet on each control-plane host supervising the scheduler and controller-manager static pods
// (src/kubelet/layout.ts), so that a component that exits is restarted with CrashLoopBackOff.
import { Simulation } from '../../src/sim/simulation';
import { MemorySink, type TraceKind } from '../../src/sim/trace';
import { buildCluster, type Cluster } from '../../src/cluster/build';
import { defaultClusterSpec, type ClusterSpec } from '../../src/cluster/spec';
import { controlPlaneKubeletSpec } from '../../src/kubelet/layout';
import { ActingLeaders } from '../../src/lease/acting';

export interface RealCluster {
  readonly sim: Simulation;
  readonly cluster: Cluster;
  readonly sink: MemorySink;
  readonly acting: ActingLeaders;
}

export function realCluster(options: { seed: number | string; trace?: readonly TraceKind[]; spec?: (spec: ClusterSpec) => ClusterSpec; kubelets?: boolean }): RealCluster {
  const sim = new Simulation({ seed: options.seed });
  const sink = new MemorySink(options.trace ?? ['lease.acting', 'proc.state']);
  sim.engine.trace.addSink(sink);
  const spec = options.spec ? options.spec(defaultClusterSpec()) : defaultClusterSpec();
  const cluster = buildCluster(sim, spec);
  if (options.kubelets !== false) {
    for (const h of spec.controlPlane) {
      const host = sim.host(h.name);
      if (host.processes.has('kubelet')) continue;
      host.addProcess(controlPlaneKubeletSpec({ staticPods: ['kube-controller-manager', 'kube-scheduler'], server: null }));
    }
  }
  sim.start();
  return { sim, cluster, sink, acting: ActingLeaders.of(sim.engine) };
}

export const SCHEDULER_LEASE = 'kube-system/kube-scheduler';
export const KCM_LEASE = 'kube-system/kube-controller-manager';
export const S = 1_000_000;
