// The load balancer in front of the apiservers: HAProxy with the kubeadm HA guide's haproxy.cfg, adjusted by the
// scenario's `components.haproxy` keywords (inter, fall, rise, timeout check, option httpchk, ...).
import type { Host } from '../sim/host';
import type { Network } from '../sim/network';
import { kubeadmHaproxyCfg, type HaproxyCfg } from '../lb/config';
import { haproxyProcessSpec, type HaproxyProcessSpec } from '../lb/haproxy';
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
}

export function installLoadBalancer(spec: ClusterSpec, hosts: ReadonlyMap<string, Host>, network: Network): LoadBalancer {
  const haproxies = new Map<string, HaproxyProcessSpec>();
  const lb = spec.loadBalancer;
  if (lb.type !== 'haproxy') throw new Error(`load balancer type ${lb.type} is not supported by this build yet (only haproxy)`);
  if (lb.hosts.length !== 1) throw new Error('a redundant load-balancer pair (keepalived VIP) is not supported by this build yet');
  const cfg = haproxyCfgFor(spec);
  for (const h of lb.hosts) {
    const haproxy = haproxyProcessSpec(cfg, network, { name: PROC.haproxy });
    haproxies.set(h.name, haproxy);
    hosts.get(h.name)!.addProcess(delayFirstStart(haproxy, spec.startDelaysUs[`${h.name}/${PROC.haproxy}`]));
  }
  return { haproxies };
}
