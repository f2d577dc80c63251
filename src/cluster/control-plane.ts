// The control-plane components of each control-plane host, as kubeadm lays them out: kube-apiserver
// (--etcd-servers = every etcd member's client URL), kube-controller-manager and kube-scheduler (their
// kubeconfigs point at the host's own apiserver, https://<host address>:6443), with the scenario's flags.
import type { Engine } from '../sim/engine';
import type { Host } from '../sim/host';
import type { ProcessSpec } from '../sim/process';
import { parseDurationUs } from '../sim/time';
import { apiserverProcessSpec, type ApiserverProcessSpec } from '../apiserver/server';
import { controllerManagerProcessSpec } from '../controllers/controller-manager';
import { leaderElectionFromFlags } from '../controllers/leader-election';
import { schedulerProcessSpec } from '../controllers/scheduler';
import { etcdClientUrls } from './etcd';
import { PROC } from './roles';
import { delayFirstStart } from './start-delay';
import { superviseWithSystemd } from './systemd';
import { flagValue, type ClusterSpec, type FlagValue } from './spec';

const durationUs = (spec: ClusterSpec, component: 'kube-apiserver' | 'kube-controller-manager', flag: string): number =>
  parseDurationUs(String(flagValue(spec, component, flag)));

/** The --leader-elect-* flags of a component (overrides only: the component applies its own defaults). */
function leaderElectFlags(spec: ClusterSpec, component: 'kube-scheduler' | 'kube-controller-manager'): Record<string, FlagValue> {
  const out: Record<string, FlagValue> = {};
  for (const [name, value] of Object.entries(spec.flags[component] ?? {})) if (name.startsWith('--leader-elect')) out[name] = value;
  return out;
}

/**
 * A static pod (started at the kubelet's first relist, about a second after boot, and restarted by it) or, in systemd
 * mode, a unit started at boot; its first start delayed if the scenario says so.
 */
function staticPod(spec: ClusterSpec, host: string, process: ProcessSpec): ProcessSpec {
  return { ...delayFirstStart(process, spec.startDelaysUs[`${host}/${process.name}`]), autostart: spec.componentMode === 'systemd' };
}

export interface ControlPlane {
  /** Each host's apiserver spec (its stats span incarnations). */
  readonly apiservers: ReadonlyMap<string, ApiserverProcessSpec>;
}

export function installControlPlane(engine: Engine, spec: ClusterSpec, hosts: ReadonlyMap<string, Host>): ControlPlane {
  const apiservers = new Map<string, ApiserverProcessSpec>();
  const scheduler = leaderElectionFromFlags(PROC.scheduler, leaderElectFlags(spec, 'kube-scheduler'), PROC.scheduler);
  const controllerManager = leaderElectionFromFlags(PROC.controllerManager, leaderElectFlags(spec, 'kube-controller-manager'), PROC.controllerManager);
  for (const h of spec.controlPlane) {
    const host = hosts.get(h.name)!;
    const apiserver = apiserverProcessSpec(
      {
        etcdServers: etcdClientUrls(spec),
        requestTimeoutUs: durationUs(spec, 'kube-apiserver', '--request-timeout'),
        shutdownDelayDurationUs: durationUs(spec, 'kube-apiserver', '--shutdown-delay-duration'),
        goawayChance: Number(flagValue(spec, 'kube-apiserver', '--goaway-chance')),
        etcdHealthcheckTimeoutUs: durationUs(spec, 'kube-apiserver', '--etcd-healthcheck-timeout'),
        etcdReadycheckTimeoutUs: durationUs(spec, 'kube-apiserver', '--etcd-readycheck-timeout'),
        livezGracePeriodUs: durationUs(spec, 'kube-apiserver', '--livez-grace-period'),
      },
      { name: PROC.apiserver },
    );
    apiservers.set(h.name, apiserver);
    host.addProcess(staticPod(spec, h.name, apiserver));
    host.addProcess(
      staticPod(
        spec,
        h.name,
        controllerManagerProcessSpec({
          leaderElection: controllerManager,
          nodeLifecycle: {
            nodeMonitorPeriodUs: durationUs(spec, 'kube-controller-manager', '--node-monitor-period'),
            nodeMonitorGracePeriodUs: durationUs(spec, 'kube-controller-manager', '--node-monitor-grace-period'),
          },
        }),
      ),
    );
    host.addProcess(staticPod(spec, h.name, schedulerProcessSpec({ leaderElection: scheduler })));
    if (spec.componentMode === 'systemd') {
      for (const name of [PROC.apiserver, PROC.controllerManager, PROC.scheduler]) superviseWithSystemd(engine, host.process(name));
    }
  }
  return { apiservers };
}
