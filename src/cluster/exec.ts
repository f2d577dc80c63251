// Inspection steps (`exec: etcdctl endpoint status -w table`, `exec: kubectl get lease -n kube-system`): each runs
// as a short-lived process on the given host, in simulated time, and reports what it printed.
// Simplification: the simulated network has no loopback address, so etcdctl's default endpoint (127.0.0.1:2379)
// is the host's own etcd client URL when the host runs etcd, else every member's.
import type { Host } from '../sim/host';
import { runEtcdctl } from '../raft/etcdctl/etcdctl';
import { runKubectl, splitArgs } from '../client/kubectl/kubectl';
import { ETCD_CLIENT_PORT } from './etcd';
import type { ClusterSpec } from './spec';

const counters = new WeakMap<Host, number>();

export function execOn(spec: ClusterSpec, host: Host, command: string, done: (output: string, exitCode: number) => void): void {
  const argv = splitArgs(command.trim());
  const program = argv[0];
  if (!host.up) {
    done(`(${host.name} is down: the command did not run)\n`, 255);
    return;
  }
  if (program === 'kubectl') {
    runKubectl(host, argv.slice(1), { server: `https://${spec.loadBalancer.address}:${spec.loadBalancer.port}` }, (r) => done(r.stdout + r.stderr, r.exitCode));
    return;
  }
  if (program === 'etcdctl') {
    const args = argv.slice(1);
    if (!args.some((a) => a === '--endpoints' || a.startsWith('--endpoints='))) {
      const own = spec.etcdHosts.find((h) => h.name === host.name);
      const endpoints = own !== undefined ? [own] : spec.etcdHosts;
      args.push(`--endpoints=${endpoints.map((h) => `https://${h.address}:${ETCD_CLIENT_PORT}`).join(',')}`);
    }
    const n = (counters.get(host) ?? 0) + 1;
    counters.set(host, n);
    host.addProcess({
      name: `etcdctl-${n}`,
      create(ctx) {
        runEtcdctl(ctx, args, (r) => {
          done(r.stdout + r.stderr, r.exitCode);
          ctx.exit(r.exitCode, 'etcdctl finished');
        });
        return {};
      },
    });
    return;
  }
  done(`${program ?? ''}: command not found\n`, 127);
}

/** Processes started for inspection steps (left out of restart counts and timelines). */
export function isInspectionProcess(name: string): boolean {
  return /^(etcdctl|kubectl)-\d+$/.test(name);
}
