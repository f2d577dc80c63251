// Benchmark suite `apiserver`: the request path client -> HAProxy -> kube-apiserver -> etcd (real members).
//   - control plane, lease traffic: 3 etcd members, 3 apiservers behind HAProxy (kubeadm config, HTTP checks of
//     /healthz every 2 s), 6 clients doing what leader election does (GET every 2-2.5 s, the two holders PUT too);
//     reported in simulated seconds per wall second;
//   - request throughput: the same plane with 30 clients issuing GETs back to back; reported in API requests
//     served per wall second (each crosses the LB, an apiserver and a linearizable etcd read).
import { Simulation } from '../sim/simulation';
import { etcdProcessSpec } from '../raft/server/process';
import { apiserverProcessSpec, type ApiserverProcessSpec } from '../apiserver/server';
import { haproxyProcessSpec } from '../lb/haproxy';
import { kubeadmHaproxyCfg } from '../lb/config';
import { RestClient, RestTransport } from '../client/rest-client';
import { LEASES, type Lease } from '../apiserver/objects';
import { measureRate, type BenchOptions, type BenchResult, type BenchSuite } from './suite';

const ETCD = ['10.0.0.11', '10.0.0.12', '10.0.0.13'];
const API = ['10.0.0.21', '10.0.0.22', '10.0.0.23'];
const LB = '10.0.0.100';

interface Plane {
  readonly sim: Simulation;
  readonly apiservers: ApiserverProcessSpec[];
}

function buildPlane(seed: number): Plane {
  const sim = new Simulation({ seed });
  const initialCluster = ETCD.map((a, i) => `etcd-${i}=https://${a}:2380`).join(',');
  ETCD.forEach((address, i) =>
    sim.addHost(`etcd-${i}`, { address }).addProcess(
      etcdProcessSpec({
        flags: { name: `etcd-${i}`, 'initial-cluster': initialCluster, 'initial-advertise-peer-urls': `https://${address}:2380`, 'advertise-client-urls': `https://${address}:2379` },
      }),
    ),
  );
  const apiservers = API.map((address, i) => {
    const spec = apiserverProcessSpec({ etcdServers: ETCD.map((a) => `https://${a}:2379`) });
    sim.addHost(`cp-${i}`, { address }).addProcess(spec);
    return spec;
  });
  sim.addHost('lb', { address: LB }).addProcess(haproxyProcessSpec(kubeadmHaproxyCfg(API.map((a, i) => ({ name: `cp-${i}`, address: a }))), sim.network));
  return { sim, apiservers };
}

function addLeaseClients(plane: Plane): void {
  const host = plane.sim.addHost('clients', { address: '10.0.1.10' });
  for (let k = 0; k < 6; k++) {
    host.addProcess({
      name: `c${k}`,
      create(ctx) {
        const client = new RestClient(new RestTransport(ctx, { server: { address: LB } }), { timeoutUs: 5_000_000 });
        const name = k % 2 === 0 ? 'kube-scheduler' : 'kube-controller-manager';
        const round = (): void => {
          client.get(LEASES, 'kube-system', name, {}, (r) => {
            if (!r.ok) {
              const lease: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-system' }, spec: { holderIdentity: `c${k}` } };
              client.create(LEASES, 'kube-system', lease, {}, () => ctx.setTimer(2_000_000, round));
              return;
            }
            if (k < 2) {
              r.object.spec.renewTime = String(ctx.wallUs());
              client.update(LEASES, r.object, {}, () => ctx.setTimer(2_000_000, round));
            } else ctx.setTimer(2_000_000 + k * 100_000, round);
          });
        };
        ctx.setTimer(3_000_000, round);
        return {};
      },
    });
  }
}

function addBusyClients(plane: Plane, n: number): void {
  const host = plane.sim.addHost('load', { address: '10.0.1.20' });
  for (let k = 0; k < n; k++) {
    host.addProcess({
      name: `l${k}`,
      create(ctx) {
        const client = new RestClient(new RestTransport(ctx, { server: { address: LB } }), { qps: -1 });
        const loop = (): void => {
          client.get(LEASES, 'kube-system', 'none', {}, loop);
        };
        ctx.setTimer(3_000_000, loop);
        return {};
      },
    });
  }
}

function leaseTraffic(options: BenchOptions): BenchResult {
  const simUs = options.quick ? 120_000_000 : 1_200_000_000;
  let seed = 1;
  let eventsPerSimS = 0;
  const rate = measureRate(
    () => {
      const plane = buildPlane(seed++);
      addLeaseClients(plane);
      plane.sim.runUntil(5_000_000);
      const e0 = plane.sim.engine.eventsRun;
      plane.sim.runUntil(5_000_000 + simUs);
      eventsPerSimS = ((plane.sim.engine.eventsRun - e0) * 1_000_000) / simUs;
      return simUs / 1_000_000;
    },
    options.quick ? 1 : 3,
  );
  return {
    name: 'control plane, lease traffic',
    value: rate.median,
    unit: 'sim s / s',
    samples: rate.samples,
    perCpuSecond: rate.perCpuSecond,
    note: `3 etcd + 3 apiservers + HAProxy, 6 lease clients; ${Math.round(eventsPerSimS)} events per sim s`,
  };
}

function throughput(options: BenchOptions): BenchResult {
  const simUs = options.quick ? 5_000_000 : 30_000_000;
  let seed = 1;
  const rate = measureRate(
    () => {
      const plane = buildPlane(seed++);
      addBusyClients(plane, 30);
      plane.sim.runUntil(5_000_000);
      const before = plane.apiservers.reduce((a, s) => a + s.stats.apiRequests, 0);
      plane.sim.runUntil(5_000_000 + simUs);
      return plane.apiservers.reduce((a, s) => a + s.stats.apiRequests, 0) - before;
    },
    options.quick ? 1 : 3,
  );
  return {
    name: 'requests through LB -> apiserver -> etcd',
    value: rate.median,
    unit: 'requests/s',
    samples: rate.samples,
    perCpuSecond: rate.perCpuSecond,
    note: '30 clients, back-to-back GETs (linearizable etcd reads)',
  };
}

export const suite: BenchSuite = {
  name: 'apiserver',
  description: 'client -> HAProxy -> kube-apiserver -> etcd: lease traffic (sim s per s) and request throughput',
  run(options) {
    return Promise.resolve([leaseTraffic(options), throughput(options)]);
  },
};
