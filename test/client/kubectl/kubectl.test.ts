// Golden-file tests of kubectl and the health endpoints: each step runs `kubectl ...` as a short-lived process on
// an admin host at a given simulated time and compares stdout, stderr and the exit code with
// golden/<step>.txt. Regenerate after a deliberate change with UPDATE_GOLDEN=1 and review the diff against real
// kubectl output.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newPlane, startClient, API_ADDRESSES, LB_ADDRESS, type Plane } from '../../apiserver/harness';
import { runKubectl, type KubectlRun } from '../../../src/client/kubectl/kubectl';
import { LEASES, NODES, PODS, formatMicroTime, type Lease, type Node, type Pod } from '../../../src/apiserver/objects';
import type { RestClient } from '../../../src/client/rest-client';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

interface Step {
  readonly name: string;
  readonly atUs: number;
  readonly command: string;
  /** Defaults to the LB VIP. */
  readonly server?: string;
}

function populate(client: RestClient, wallUs: () => number, done: () => void): void {
  const micro = formatMicroTime(wallUs());
  const lease = (ns: string, name: string, holder: string, duration: number): Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: ns },
    spec: { holderIdentity: holder, leaseDurationSeconds: duration, acquireTime: micro, renewTime: micro, leaseTransitions: 0 },
  });
  const node = (name: string, ready: 'True' | 'Unknown', control: boolean, unschedulable = false): Node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(control ? { 'node-role.kubernetes.io/control-plane': '' } : {}) } },
    spec: unschedulable ? { unschedulable: true } : {},
    status: {
      conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'KubeletReady' : 'NodeStatusUnknown', message: ready === 'True' ? 'kubelet is posting ready status' : 'Kubelet stopped posting node status.' }],
      addresses: [{ type: 'InternalIP', address: name.startsWith('cp') ? API_ADDRESSES[Number(name.slice(3))]! : '10.0.2.1' }],
      nodeInfo: { kubeletVersion: 'v1.31.0', osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: '5.15.0-105-generic', containerRuntimeVersion: 'containerd://1.7.13' },
    },
  });
  const pod = (ns: string, name: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.9' }] } });
  const ops: Array<(next: () => void) => void> = [
    (next) => client.create(LEASES, 'kube-system', lease('kube-system', 'kube-scheduler', 'cp-1_5f0c1d53-5b1b-4bd1-98f5-8c3a0c8c2b1e', 15), {}, () => next()),
    (next) => client.create(LEASES, 'kube-system', lease('kube-system', 'kube-controller-manager', 'cp-0_0b6c2a4e-8d7e-4a54-9b0c-3f1e2d4c5b6a', 15), {}, () => next()),
    (next) => client.create(LEASES, 'kube-node-lease', lease('kube-node-lease', 'worker-1', 'worker-1', 40), {}, () => next()),
    (next) => client.create(NODES, null, node('cp-0', 'True', true), {}, () => next()),
    (next) => client.create(NODES, null, node('cp-1', 'True', true), {}, () => next()),
    (next) => client.create(NODES, null, node('worker-1', 'Unknown', false), {}, () => next()),
    (next) => client.create(NODES, null, node('worker-2', 'True', false, true), {}, () => next()),
    (next) => client.create(PODS, 'kube-system', pod('kube-system', 'kube-apiserver-cp-0'), {}, (r) => {
      if (!r.ok) throw new Error(r.error.message);
      const p = r.object;
      p.spec.nodeName = 'cp-0';
      client.update(PODS, p, {}, (u) => {
        if (!u.ok) throw new Error(u.error.message);
        const running = u.object;
        running.status = {
          phase: 'Running',
          podIP: '10.0.0.21',
          containerStatuses: [{ name: 'main', ready: true, restartCount: 2, image: 'registry.k8s.io/pause:3.9', state: { running: { startedAt: '2025-01-01T00:00:05Z' } } }],
        };
        client.updateStatus(PODS, running, {}, () => next());
      });
    }),
    (next) => client.create(PODS, 'default', pod('default', 'web-7d4b9c8f5-x2k9p'), {}, () => next()),
  ];
  let i = 0;
  const step = (): void => {
    const op = ops[i++];
    if (op === undefined) done();
    else op(step);
  };
  step();
}

function build(): Plane {
  const plane = newPlane({ lb: true, latencyUs: 250 });
  startClient(plane.clientHost, 'setup', API_ADDRESSES[0]!, (client, ctx) => ctx.setTimer(6_000_000, () => populate(client, () => ctx.wallUs(), () => undefined)));
  return plane;
}

function render(step: Step, run: KubectlRun): string {
  const r = run.result;
  if (r === null) return `$ ${step.command}\n[did not finish]\n`;
  let out = `$ ${step.command}\n${r.stdout}`;
  if (r.stdout !== '' && !r.stdout.endsWith('\n')) out += '\n[no newline at end of stdout]\n';
  if (r.stderr !== '') out += `[stderr]\n${r.stderr}`;
  return `${out}[exit ${r.exitCode}]\n`;
}

function checkGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, `${name}.txt`);
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) throw new Error(`missing golden file ${file}; run with UPDATE_GOLDEN=1 to create it`);
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

function runSteps(plane: Plane, steps: readonly Step[], endUs: number): Map<string, string> {
  const admin = plane.sim.addHost('admin', { address: '10.0.1.50' });
  const runs = new Map<string, { step: Step; run: KubectlRun }>();
  for (const step of steps) {
    plane.sim.engine.scheduleAt(step.atUs, () => {
      runs.set(step.name, { step, run: runKubectl(admin, step.command, { server: step.server ?? `https://${LB_ADDRESS}:6443`, namespace: 'default' }) });
    });
  }
  plane.sim.runUntil(endUs);
  const out = new Map<string, string>();
  for (const [name, { step, run }] of runs) out.set(name, render(step, run));
  return out;
}

describe('kubectl golden files', () => {
  it('healthy cluster: raw health endpoints, leases, nodes, pods, errors', () => {
    const plane = build();
    const at = 200_000_000;
    const steps: Step[] = [
      { name: 'healthz', atUs: at, command: 'kubectl get --raw /healthz' },
      { name: 'readyz-verbose', atUs: at + 1_000_000, command: "kubectl get --raw '/readyz?verbose'" },
      { name: 'livez-verbose-server', atUs: at + 2_000_000, command: "kubectl get --raw '/livez?verbose' --server https://10.0.0.22:6443" },
      { name: 'readyz-exclude', atUs: at + 3_000_000, command: "kubectl get --raw '/readyz?verbose&exclude=etcd&exclude=nope'" },
      { name: 'readyz-etcd', atUs: at + 4_000_000, command: 'kubectl get --raw /readyz/etcd' },
      { name: 'get-lease', atUs: at + 5_000_000, command: 'kubectl get lease -n kube-system' },
      { name: 'get-lease-yaml', atUs: at + 6_000_000, command: 'kubectl get lease kube-scheduler -n kube-system -o yaml' },
      { name: 'get-nodes', atUs: at + 7_000_000, command: 'kubectl get nodes' },
      { name: 'get-nodes-wide', atUs: at + 8_000_000, command: 'kubectl get nodes -o wide' },
      { name: 'get-pods-all', atUs: at + 9_000_000, command: 'kubectl get pods -A' },
      { name: 'get-pods-wide', atUs: 4_000_000_000, command: 'kubectl get pods -A -o wide' },
      { name: 'get-lease-notfound', atUs: at + 11_000_000, command: 'kubectl get lease nope -n kube-system' },
      { name: 'get-pods-empty', atUs: at + 12_000_000, command: 'kubectl get pods -n empty' },
      { name: 'get-unknown-type', atUs: at + 13_000_000, command: 'kubectl get leasez' },
    ];
    const outputs = runSteps(plane, steps, 4_010_000_000);
    for (const step of steps) checkGolden(step.name, outputs.get(step.name)!);
  });

  it('failures: quorum loss, an apiserver shutting down, a crashed apiserver, no backend behind the LB', () => {
    const plane = build();
    // cp-1 gets SIGTERM at 100 s with --shutdown-delay-duration semantics (default 0: it exits at once), cp-2's
    // process is killed at 100 s; etcd loses its leader at 150 s.
    plane.sim.engine.scheduleAt(100_000_000, () => plane.apiHosts[2]!.process('kube-apiserver').crash());
    plane.sim.engine.scheduleAt(150_000_000, () => plane.etcd.setLeader(false));
    const steps: Step[] = [
      { name: 'refused-server', atUs: 110_000_000, command: 'kubectl get --raw /healthz --server https://10.0.0.23:6443' },
      { name: 'quorum-loss-readyz', atUs: 160_000_000, command: "kubectl get --raw '/readyz?verbose' --server https://10.0.0.21:6443" },
      { name: 'quorum-loss-healthz', atUs: 160_000_000, command: 'kubectl get --raw /healthz --server https://10.0.0.22:6443' },
      { name: 'quorum-loss-via-lb', atUs: 180_000_000, command: 'kubectl get lease -n kube-system' },
    ];
    const outputs = runSteps(plane, steps, 230_000_000);
    for (const step of steps) checkGolden(step.name, outputs.get(step.name)!);
  });

  it('graceful shutdown: /readyz fails at once with [-]shutdown while /healthz still passes', () => {
    const plane = newPlane({ lb: true, latencyUs: 250, apiserver: { shutdownDelayDurationUs: 20_000_000 } });
    plane.sim.engine.scheduleAt(50_000_000, () => plane.apiHosts[0]!.process('kube-apiserver').stop(90_000_000));
    const steps: Step[] = [
      { name: 'shutdown-readyz', atUs: 51_000_000, command: "kubectl get --raw '/readyz?verbose' --server https://10.0.0.21:6443" },
      { name: 'shutdown-healthz', atUs: 52_000_000, command: 'kubectl get --raw /healthz --server https://10.0.0.21:6443' },
      { name: 'shutdown-after-delay', atUs: 75_000_000, command: 'kubectl get --raw /healthz --server https://10.0.0.21:6443' },
    ];
    const outputs = runSteps(plane, steps, 90_000_000);
    for (const step of steps) checkGolden(step.name, outputs.get(step.name)!);
  });
});
