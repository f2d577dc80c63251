// buildCluster: the one place that knows how the parts of a control plane fit together. It adds the hosts with
// their addresses and clocks, sets the network model, starts each host's processes (with any start delays),
// and attaches the observers (who leads etcd, who acts as leader of each lease) and the invariants.
import type { Host } from '../sim/host';
import type { Leaders } from '../run/result';
import type { Simulation } from '../sim/simulation';
import { LeaseExclusivityMonitor } from '../check/checkers/lease-exclusivity';
import type { CheckViolation } from '../check/checkers/types';
import { ActingLeaders } from '../lease/acting';
import { electionLeases } from '../scenario/resolve';
import type { LeaderInterval } from '../run/result';
import { installControlPlane, type ControlPlane } from './control-plane';
import { installEtcd, type EtcdCluster } from './etcd';
import { installKubelets } from './kubelets';
import { installLoadBalancer, type LoadBalancer } from './lb';
import { execOn } from './exec';
import { apiProbe } from './probe';
import { schedulingDelays, workloadCreator } from './workload';
import { delayFirstStart } from './start-delay';
import { processNames } from './roles';
import { allHosts, type ClusterSpec } from './spec';

export interface Cluster {
  readonly spec: ClusterSpec;
  readonly sim: Simulation;
  readonly hosts: ReadonlyMap<string, Host>;
  /**
   * The host currently leading `role` ('etcd', or a lease `namespace/name`), for faults aimed at "the leader";
   * null when nobody leads (or the component is not part of this build).
   */
  leaderHost(role: string): string | null;
  /** The etcd members (observer for checkers, statuses, stores). */
  readonly etcd: EtcdCluster;
  /** The apiservers (per-host specs whose stats span restarts). */
  readonly controlPlane: ControlPlane;
  /** The load balancer(s) in front of the apiservers. */
  readonly loadBalancer: LoadBalancer;
  /** Process names the builder installed on a host. */
  processesOn(host: string): string[];
  /** Acting-leader intervals so far: etcd terms and each lease's acting leaders. */
  leaders(): Leaders;
  /** Scheduling delays (creation -> bound) of the pods created so far, and how many are not bound yet. */
  scheduling(): { delaysUs: number[]; unscheduled: number };
  /** Client connections through the load balancer(s) per backend server now. */
  lbSessions(): Record<string, number>;
  /** Time the API was unavailable to a client through the LB so far, or null when no probe runs. */
  apiUnavailableUs(): number | null;
  /**
   * Runs an inspection command (`etcdctl ...`, `kubectl ...`) on a host, in simulated time; `done` gets what it
   * printed and its exit status.
   */
  exec(on: string, command: string, done: (output: string, exitCode: number) => void): void;
  /** The first lease overlap with its extent so far (toUs null while both still act), or null. */
  splitBrain(): CheckViolation | null;
}

export interface BuildOptions {
  /**
   * What a split brain (two replicas acting as leader of one lease) does: 'stop' (default) stops the run there as
   * an invariant violation; 'measure' records it (a `violation` trace event when it starts) and lets the run go on,
   * so the overlap's end is known — `kube-ha-sim run` measures, `check` stops.
   */
  readonly splitBrain?: 'stop' | 'measure';
}

export function buildCluster(sim: Simulation, spec: ClusterSpec, options: BuildOptions = {}): Cluster {
  const hosts = new Map<string, Host>();
  for (const h of allHosts(spec)) {
    const clock = spec.clocks[h.name];
    hosts.set(
      h.name,
      sim.addHost(h.name, {
        address: h.address,
        clock: { epochUnixUs: spec.epochUnixUs, ...(clock?.offsetUs !== undefined ? { offsetUs: clock.offsetUs } : {}), ...(clock?.driftPpm !== undefined ? { driftPpm: clock.driftPpm } : {}) },
      }),
    );
  }
  applyNetwork(sim, spec);
  const engine = sim.engine;

  // Who acts as leader of each lease (the components report to it), and the split-brain invariant over it.
  const acting = ActingLeaders.of(engine);
  const exclusivity = new LeaseExclusivityMonitor(engine, (lease, identity) =>
    acting.phaseOf(lease, identity) === 'releasing'
      ? 'its renewal gave up and it is releasing the lease: with ReleaseOnCancel, client-go cancels the leading context only after release() returns (docs/safety-envelope.md; kubernetes/kubernetes#139991)'
      : null,
  );
  acting.onChange((interval, state) => {
    if (state === 'start') exclusivity.started(interval.lease, interval.identity, interval.host, engine.nowUs);
    else exclusivity.stopped(interval.lease, interval.identity, engine.nowUs);
  });
  if (options.splitBrain === 'measure') {
    let reported = false;
    engine.addInvariant({
      name: exclusivity.invariant.name,
      check: () => {
        if (reported || !exclusivity.violated) return null;
        reported = true;
        const failure = exclusivity.invariant.check();
        if (failure !== null) engine.trace.emit('violation', { invariant: exclusivity.invariant.name, message: failure.message });
        return null;
      },
    });
  } else engine.addInvariant(exclusivity.invariant);
  const leases = Object.values(electionLeases(spec));

  const etcd = installEtcd(engine, spec, hosts);
  const controlPlane = installControlPlane(engine, spec, hosts);
  const loadBalancer = installLoadBalancer(spec, hosts, sim.network);
  installKubelets(spec, hosts);
  const probe = spec.client === null ? null : apiProbe(engine, { address: spec.loadBalancer.address, port: spec.loadBalancer.port });
  if (spec.client !== null && probe !== null) {
    hosts.get(spec.client.name)!.addProcess(delayFirstStart(probe.spec, spec.startDelaysUs[`${spec.client.name}/${probe.spec.name}`]));
  }
  const hasWorkload = spec.workload.pods.length > 0 || spec.workload.replicaSets.length > 0;
  const creator = hasWorkload ? workloadCreator(engine, spec.workload, { address: spec.loadBalancer.address, port: spec.loadBalancer.port }) : null;
  if (creator !== null) {
    if (spec.client === null) throw new Error('a workload needs the client host (topology.apiProbe must not be false)');
    hosts.get(spec.client.name)!.addProcess(creator.spec);
  }

  return {
    spec,
    sim,
    hosts,
    etcd,
    controlPlane,
    loadBalancer,
    leaderHost: (role) => {
      if (role === 'etcd') return etcd.leaderHost();
      return acting.actingNow(role)[0]?.host ?? null;
    },
    leaders: () => {
      const byLease: Record<string, LeaderInterval[]> = {};
      for (const lease of [...new Set([...leases, ...acting.leases()])].sort()) {
        byLease[lease] = acting.intervals(lease).map((i) => ({ holder: i.identity, host: i.host, fromUs: i.startUs, toUs: i.endUs }));
      }
      return { etcd: etcd.leaderIntervals(), leases: byLease };
    },
    apiUnavailableUs: () => probe?.unavailableUs() ?? null,
    scheduling: () => schedulingDelays(creator?.podsCreated ?? new Map<string, number>(), acting.actions),
    lbSessions: () => {
      const out: Record<string, number> = {};
      for (const h of spec.controlPlane) out[h.name] = 0;
      for (const [server, n] of Object.entries(loadBalancer.sessions())) out[server] = (out[server] ?? 0) + n;
      return out;
    },
    exec: (on, command, done) => execOn(spec, hosts.get(on)!, command, done),
    splitBrain: () => exclusivity.firstViolation(),
    processesOn: (host) => [...(hosts.get(host)?.processes.keys() ?? [])].filter((p) => processNames(spec, host).includes(p)),
  };
}

function applyNetwork(sim: Simulation, spec: ClusterSpec): void {
  const net = sim.network;
  net.defaultLink = spec.network.defaultLink;
  for (const link of spec.network.links) net.setLink({ from: link.from, to: link.to }, link.patch);
}
