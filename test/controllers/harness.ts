// A small cluster for component tests: an in-memory API server host (test/controllers/fake-apiserver.ts) standing
// in for the etcd + kube-apiserver + LB tier, control-plane hosts running the real kube-scheduler and
// kube-controller-manager process specs, optional worker kubelets.
import { Simulation } from '../../src/sim/simulation';
import { MemorySink, type TraceKind } from '../../src/sim/trace';
import type { Host } from '../../src/sim/host';
import { schedulerProcessSpec, type SchedulerConfig } from '../../src/controllers/scheduler';
import { controllerManagerProcessSpec, type ControllerManagerConfig } from '../../src/controllers/controller-manager';
import { ActingLeaders } from '../../src/lease/acting';
import { commit, fakeApiserverSpec, newFakeApiState, type FakeApiState } from './fake-apiserver';
import { RESOURCES, type KubeObject, type Lease } from '../../src/apiserver/objects';
import { kubeletProcessSpec, type KubeletConfig } from '../../src/kubelet/kubelet';

export const API_ADDRESS = '10.0.0.100';

export interface HarnessOptions {
  readonly seed: number | string;
  readonly controlPlane?: number;
  readonly scheduler?: SchedulerConfig | false;
  readonly controllerManager?: ControllerManagerConfig | false;
  readonly trace?: readonly TraceKind[] | 'all';
  /** Worker hosts worker-0.. (10.0.0.20..) running a kubelet against the API. */
  readonly workers?: number;
  readonly kubelet?: Omit<KubeletConfig, 'server' | 'staticPods'>;
  /** Control-plane hosts run a kubelet that starts and restarts the scheduler and controller-manager (static pods). */
  readonly staticPods?: boolean;
}

export interface Harness {
  readonly sim: Simulation;
  readonly api: FakeApiState;
  readonly controlPlane: Host[];
  readonly workers: Host[];
  readonly sink: MemorySink;
  readonly acting: ActingLeaders;
  lease(name: string): Lease | undefined;
  /** Writes an object as a client would (watchers are told). */
  put(resource: string, namespace: string | null, object: KubeObject): void;
  /** Deletes an object as a client would. */
  remove(resource: string, namespace: string | null, name: string): void;
}

export function harness(options: HarnessOptions): Harness {
  const sim = new Simulation({ seed: options.seed });
  const sink = new MemorySink(options.trace ?? ['lease.acting', 'proc.state']);
  sim.engine.trace.addSink(sink);
  const api = newFakeApiState();
  sim.addHost('api', { address: API_ADDRESS }).addProcess(fakeApiserverSpec(api));
  const controlPlane: Host[] = [];
  const n = options.controlPlane ?? 3;
  for (let i = 0; i < n; i++) {
    const host = sim.addHost(`server-${i}`, { address: `10.0.0.${10 + i}` });
    controlPlane.push(host);
    const autostart = options.staticPods !== true;
    const pods: string[] = [];
    if (options.scheduler !== false) {
      host.addProcess({ ...schedulerProcessSpec({ server: { address: API_ADDRESS }, ...(options.scheduler ?? {}) }), autostart });
      pods.push('kube-scheduler');
    }
    if (options.controllerManager !== false) {
      host.addProcess({ ...controllerManagerProcessSpec({ server: { address: API_ADDRESS }, ...(options.controllerManager ?? {}) }), autostart });
      pods.push('kube-controller-manager');
    }
    if (options.staticPods === true) host.addProcess(kubeletProcessSpec({ registerNode: false, staticPods: { pods } }));
  }
  const workers: Host[] = [];
  for (let i = 0; i < (options.workers ?? 0); i++) {
    const host = sim.addHost(`worker-${i}`, { address: `10.0.0.${20 + i}` });
    workers.push(host);
    host.addProcess(kubeletProcessSpec({ server: { address: API_ADDRESS }, ...(options.kubelet ?? {}) }));
  }
  return {
    sim,
    api,
    controlPlane,
    workers,
    sink,
    acting: ActingLeaders.of(sim.engine),
    lease: (name) => api.objects.get(`leases/kube-system/${name}`) as Lease | undefined,
    put: (resource, namespace, object) => {
      object.metadata.resourceVersion = String(++api.revision);
      object.metadata.uid ??= `uid-${object.metadata.name}`;
      if (namespace !== null) object.metadata.namespace = namespace;
      commit(api, RESOURCES.find((r) => r.resource === resource)!, namespace, object.metadata.name, object);
    },
    remove: (resource, namespace, name) => commit(api, RESOURCES.find((r) => r.resource === resource)!, namespace, name, null),
  };
}
