// The load balancer in front of the apiservers: HAProxy with the kubeadm HA guide's haproxy.cfg, adjusted by the
// scenario's `components.haproxy` keywords (inter, fall, rise, timeout check, option httpchk, ...).
import type { Host } from '../sim/host';
import type { Network } from '../sim/network';
import { kubeadmHaproxyCfg, type HaproxyCfg } from '../lb/config';
import { haproxyProcessSpec, type HaproxyProcessSpec } from '../lb/haproxy';
import { keepalivedProcessSpec } from '../lb/keepalived';
import { nlbProcessSpec, type NlbProcessSpec } from '../lb/nlb';
import { PROC } from './roles';
import { delayFirstStart } from './start-delay';
import { flagValue, type ClusterSpec } from './spec';

/** The haproxy.cfg (as section -> lines) the scenario's settings give. */
export function haproxyCfgFor(spec: ClusterSpec): HaproxyCfg {
  const v = (key: string): string => String(flagValue(spec, 'haproxy', key));
  const set = (key: string): boolean => spec.flags.haproxy?.[key] !== undefined;
  const base = kubeadmHaproxyCfg(spec.controlPlane.map((h) => ({ name: h.name, address: h.address })), spec.loadBalancer.port);
  const defaults = base.defaults!.filter((l) => !/^(retries|option redispatch|timeout (connect|client|server|check)) /.test(`${l} `));
  defaults.push(`retries ${v('retries')}`);
  if (flagValue(spec, 'haproxy', 'option redispatch') === true) defaults.push('option redispatch');
  for (const t of ['connect', 'client', 'server', 'check']) defaults.push(`timeout ${t} ${v(`timeout ${t}`)}`);

  const serverOptions = ['check'];
  if (flagValue(spec, 'haproxy', 'option httpchk') === true) serverOptions.push('verify none');
  serverOptions.push(`inter ${v('inter')}`);
  if (set('fastinter')) serverOptions.push(`fastinter ${v('fastinter')}`);
  if (set('downinter')) serverOptions.push(`downinter ${v('downinter')}`);
  serverOptions.push(`fall ${v('fall')}`, `rise ${v('rise')}`);
  if (v('on-marked-down') === 'shutdown-sessions') serverOptions.push('on-marked-down shutdown-sessions');
  const backend: string[] =
    flagValue(spec, 'haproxy', 'option httpchk') === true
      ? ['option httpchk', 'http-check connect ssl', `http-check send ${v('http-check send')}`, `http-check expect ${v('http-check expect')}`]
      : ['option tcp-check'];
  backend.push(`mode ${v('mode')}`, `balance ${v('balance')}`);
  for (const h of spec.controlPlane) backend.push(`server ${h.name} ${h.address}:6443 ${serverOptions.join(' ')}`);
  const frontendKey = Object.keys(base).find((k) => k.startsWith('frontend '))!;
  const backendKey = Object.keys(base).find((k) => k.startsWith('backend '))!;
  return { global: base.global!, defaults, [frontendKey]: base[frontendKey]!, [backendKey]: backend };
}

export interface LoadBalancer {
  /** The HAProxy process spec of each LB host (its stats span restarts). */
  readonly haproxies: ReadonlyMap<string, HaproxyProcessSpec>;
  /** The NLB, when the load balancer is one. */
  readonly nlb: NlbProcessSpec | null;
  /** Client connections per backend server now. */
  sessions(): Record<string, number>;
}

/**
 * One HAProxy (kubeadm guide), a keepalived pair of HAProxies sharing a floating VIP (kubeadm guide: MASTER 101,
 * BACKUP 100, advert_int 1, vrrp_script check_apiserver every 3 s, weight -2, fall 10, rise 2 — here the tracked
 * check is that haproxy runs), or an AWS NLB.
 */
export function installLoadBalancer(spec: ClusterSpec, hosts: ReadonlyMap<string, Host>, network: Network): LoadBalancer {
  const haproxies = new Map<string, HaproxyProcessSpec>();
  const lb = spec.loadBalancer;
  const delay = (host: string, name: string): number | undefined => spec.startDelaysUs[`${host}/${name}`];
  if (lb.type === 'nlb') {
    const host = lb.hosts[0]!;
    const nlb = nlbProcessSpec(
      {
        port: lb.port,
        targets: spec.controlPlane.map((h) => ({ target: h.name, port: 6443 })),
        healthCheckProtocol: flagValue(spec, 'nlb', 'HealthCheckProtocol') as 'TCP' | 'HTTP' | 'HTTPS',
        healthCheckPath: String(flagValue(spec, 'nlb', 'HealthCheckPath')),
        healthCheckIntervalSeconds: Number(flagValue(spec, 'nlb', 'HealthCheckIntervalSeconds')),
        healthCheckTimeoutSeconds: Number(flagValue(spec, 'nlb', 'HealthCheckTimeoutSeconds')),
        healthyThresholdCount: Number(flagValue(spec, 'nlb', 'HealthyThresholdCount')),
        unhealthyThresholdCount: Number(flagValue(spec, 'nlb', 'UnhealthyThresholdCount')),
      },
      network,
      { name: PROC.nlb },
    );
    hosts.get(host.name)!.addProcess(delayFirstStart(nlb, delay(host.name, PROC.nlb)));
    return {
      haproxies,
      nlb,
      sessions: () => Object.fromEntries((nlb.current()?.targetStates() ?? []).map((t) => [t.name, t.flows])),
    };
  }
  const cfg = haproxyCfgFor(spec);
  for (const h of lb.hosts) {
    const haproxy = haproxyProcessSpec(cfg, network, { name: PROC.haproxy });
    haproxies.set(h.name, haproxy);
    hosts.get(h.name)!.addProcess(delayFirstStart(haproxy, delay(h.name, PROC.haproxy)));
  }
  if (lb.hosts.length === 2) {
    lb.hosts.forEach((h, i) => {
      const keepalived = keepalivedProcessSpec(
        {
          state: i === 0 ? 'MASTER' : 'BACKUP',
          priority: i === 0 ? 101 : 100,
          advertIntSeconds: Number(flagValue(spec, 'keepalived', 'advert_int')),
          virtualIpAddress: lb.address,
          unicastPeers: lb.hosts.filter((o) => o.name !== h.name).map((o) => o.address),
          trackScript: {
            name: 'check_apiserver',
            process: PROC.haproxy,
            intervalSeconds: Number(flagValue(spec, 'keepalived', 'vrrp_script interval')),
            weight: Number(flagValue(spec, 'keepalived', 'vrrp_script weight')),
            fall: Number(flagValue(spec, 'keepalived', 'vrrp_script fall')),
            rise: Number(flagValue(spec, 'keepalived', 'vrrp_script rise')),
          },
        },
        network,
        { name: PROC.keepalived },
      );
      hosts.get(h.name)!.addProcess(delayFirstStart(keepalived, delay(h.name, PROC.keepalived)));
    });
  }
  return {
    haproxies,
    nlb: null,
    sessions: () => {
      const out: Record<string, number> = {};
      for (const haproxy of haproxies.values()) {
        for (const srv of haproxy.current()?.servers ?? []) out[srv.model.name] = (out[srv.model.name] ?? 0) + srv.sessions;
      }
      return out;
    },
  };
}
