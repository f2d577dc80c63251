// The component flags a scenario may set, under their real names, with their real defaults.
// One table drives the scenario schema (unknown flags are errors with a "did you mean"), the `--set KEY=VALUE`
// overrides of `run`/`sweep` (keys `component.flag`, e.g. `kube-scheduler.--leader-elect-lease-duration`), and
// docs/scenario-reference.md. Values keep the real syntax: Go durations for Kubernetes flags (`15s`), integer
// milliseconds for etcd's timing flags (`--heartbeat-interval=100`), HAProxy times with an optional unit (`2s`,
// `2000` = ms), keepalived's whole seconds.
import { parseDurationUs } from '../sim/time';

export type FlagKind =
  /** Go duration string (`15s`, `100ms`, `2m`). */
  | { readonly type: 'duration'; readonly positive?: boolean }
  /** A whole number of `unit` (etcd's milliseconds, keepalived's seconds), or a plain integer when unit is absent. */
  | { readonly type: 'int'; readonly min?: number; readonly max?: number; readonly unit?: 'ms' | 's' }
  | { readonly type: 'float'; readonly min?: number; readonly max?: number }
  | { readonly type: 'bool' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'string' }
  /** HAProxy time: a number of milliseconds, or a number with a unit (us, ms, s, m, h). */
  | { readonly type: 'haproxy-time' };

export interface FlagDef {
  readonly name: string;
  readonly kind: FlagKind;
  /** The default, written as a user would write it. */
  readonly default: string | number | boolean;
  readonly doc: string;
}

export type ComponentName =
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-scheduler'
  | 'kube-controller-manager'
  | 'kubelet'
  | 'haproxy'
  | 'nlb'
  | 'keepalived';

const leaderElect = (lease: string, releaseNote: string): FlagDef[] => [
  { name: '--leader-elect', kind: { type: 'bool' }, default: true, doc: 'Run leader election before doing any work (replicated components).' },
  { name: '--leader-elect-lease-duration', kind: { type: 'duration', positive: true }, default: '15s', doc: 'How long a standby waits, from its own observation of the last change, before it may take the lease.' },
  { name: '--leader-elect-renew-deadline', kind: { type: 'duration', positive: true }, default: '10s', doc: 'How long the leader keeps retrying a renewal round before it stops leading (must be < lease duration).' },
  { name: '--leader-elect-retry-period', kind: { type: 'duration', positive: true }, default: '2s', doc: 'Wait between attempts; standbys add jitter (x1.2), the leader renews every period.' },
  { name: '--leader-elect-resource-lock', kind: { type: 'enum', values: ['leases'] }, default: 'leases', doc: 'Lock object type (only leases since v1.24).' },
  { name: '--leader-elect-resource-name', kind: { type: 'string' }, default: lease, doc: 'Name of the Lease.' },
  { name: '--leader-elect-resource-namespace', kind: { type: 'string' }, default: 'kube-system', doc: `Namespace of the Lease. ${releaseNote}` },
];

/** Every settable flag, per component. */
export const COMPONENT_FLAGS: Readonly<Record<ComponentName, readonly FlagDef[]>> = {
  etcd: [
    { name: '--heartbeat-interval', kind: { type: 'int', min: 1, unit: 'ms' }, default: 100, doc: 'Time (ms) of a heartbeat interval; Raft ticks once per interval.' },
    { name: '--election-timeout', kind: { type: 'int', min: 1, max: 50000, unit: 'ms' }, default: 1000, doc: 'Time (ms) for an election to time out; must be >= 5 x heartbeat interval.' },
    { name: '--pre-vote', kind: { type: 'bool' }, default: true, doc: 'Enable the Raft Pre-Vote algorithm (on by default since v3.5).' },
    { name: '--initial-election-tick-advance', kind: { type: 'bool' }, default: true, doc: 'Fast-forward election ticks at start so the first election comes sooner.' },
    { name: '--snapshot-count', kind: { type: 'int', min: 1 }, default: 100000, doc: 'Committed transactions that trigger a snapshot to disk.' },
  ],
  'kube-apiserver': [
    { name: '--shutdown-delay-duration', kind: { type: 'duration' }, default: '0s', doc: 'After SIGTERM, /readyz fails at once but requests are still served this long before the listener closes.' },
    { name: '--goaway-chance', kind: { type: 'float', min: 0, max: 0.02 }, default: 0, doc: 'Probability of sending GOAWAY on an HTTP/2 request, so clients reconnect and rebalance (0.001 recommended).' },
    { name: '--etcd-healthcheck-timeout', kind: { type: 'duration', positive: true }, default: '2s', doc: 'Timeout of the etcd probe behind /healthz and /livez.' },
    { name: '--etcd-readycheck-timeout', kind: { type: 'duration', positive: true }, default: '2s', doc: 'Timeout of the etcd probe behind /readyz.' },
    { name: '--request-timeout', kind: { type: 'duration', positive: true }, default: '1m0s', doc: 'Handler timeout for non-long-running requests.' },
    { name: '--livez-grace-period', kind: { type: 'duration' }, default: '0s', doc: 'Time during which post-start hooks do not fail /livez.' },
  ],
  'kube-scheduler': leaderElect('kube-scheduler', 'kube-scheduler releases the lease when stopped (ReleaseOnCancel).'),
  'kube-controller-manager': [
    ...leaderElect('kube-controller-manager', 'kube-controller-manager does not release the lease when stopped.'),
    { name: '--node-monitor-period', kind: { type: 'duration', positive: true }, default: '5s', doc: 'Period of the node lifecycle controller\'s sync.' },
    { name: '--node-monitor-grace-period', kind: { type: 'duration', positive: true }, default: '50s', doc: 'A node whose lease is older than this is marked NotReady (Ready=Unknown); 40s until v1.31, 50s since v1.32.' },
  ],
  kubelet: [
    // KubeletConfiguration field names: these have no command-line flag.
    { name: 'nodeLeaseDurationSeconds', kind: { type: 'int', min: 1 }, default: 40, doc: 'Duration of the node Lease (kube-node-lease/<node>); renewed every quarter of it (10 s).' },
    { name: 'nodeStatusUpdateFrequency', kind: { type: 'duration', positive: true }, default: '10s', doc: 'How often the kubelet posts node status.' },
  ],
  haproxy: [
    { name: 'mode', kind: { type: 'enum', values: ['tcp'] }, default: 'tcp', doc: 'Proxy mode; kubeadm\'s guide uses tcp (a client connection is routed once and stays on its backend).' },
    { name: 'balance', kind: { type: 'enum', values: ['roundrobin'] }, default: 'roundrobin', doc: 'Backend selection algorithm.' },
    { name: 'option httpchk', kind: { type: 'bool' }, default: true, doc: 'HTTP health check (kubeadm guide); false: TCP connect check (`check` alone / `option tcp-check`).' },
    { name: 'http-check send', kind: { type: 'string' }, default: 'meth GET uri /healthz', doc: 'The check request: `meth GET uri /healthz` or `/readyz` or `/livez`.' },
    { name: 'http-check expect', kind: { type: 'string' }, default: 'status 200', doc: 'Expected response: `status 200`.' },
    { name: 'inter', kind: { type: 'haproxy-time' }, default: '2s', doc: 'Interval between health checks (default 2000 ms).' },
    { name: 'fastinter', kind: { type: 'haproxy-time' }, default: 'inter', doc: 'Interval while a server is transitioning (UP going down / DOWN coming up); defaults to inter.' },
    { name: 'downinter', kind: { type: 'haproxy-time' }, default: 'inter', doc: 'Interval while a server is DOWN; defaults to inter.' },
    { name: 'fall', kind: { type: 'int', min: 1 }, default: 3, doc: 'Consecutive failed checks that mark an UP server DOWN.' },
    { name: 'rise', kind: { type: 'int', min: 1 }, default: 2, doc: 'Consecutive successful checks that mark a DOWN server UP.' },
    { name: 'timeout check', kind: { type: 'haproxy-time' }, default: '10s', doc: 'Read timeout of a check once connected (kubeadm guide: 10s).' },
    { name: 'timeout connect', kind: { type: 'haproxy-time' }, default: '5s', doc: 'Connect timeout to a server (kubeadm guide: 5s).' },
    { name: 'timeout client', kind: { type: 'haproxy-time' }, default: '35s', doc: 'Client-side inactivity timeout (kubeadm guide: 35s).' },
    { name: 'timeout server', kind: { type: 'haproxy-time' }, default: '35s', doc: 'Server-side inactivity timeout (kubeadm guide: 35s).' },
    { name: 'retries', kind: { type: 'int', min: 0 }, default: 1, doc: 'Connection retries to a server before giving up (kubeadm guide: 1).' },
    { name: 'option redispatch', kind: { type: 'bool' }, default: true, doc: 'The last retry may go to another server.' },
    { name: 'on-marked-down', kind: { type: 'enum', values: ['none', 'shutdown-sessions'] }, default: 'none', doc: 'shutdown-sessions: kill connections to a server marked DOWN.' },
  ],
  nlb: [
    { name: 'HealthCheckIntervalSeconds', kind: { type: 'int', min: 5, max: 300, unit: 's' }, default: 30, doc: 'Interval between health checks.' },
    { name: 'HealthCheckTimeoutSeconds', kind: { type: 'int', min: 2, max: 120, unit: 's' }, default: 10, doc: 'Timeout of one check.' },
    { name: 'HealthyThresholdCount', kind: { type: 'int', min: 2, max: 10 }, default: 5, doc: 'Consecutive successes to mark a target healthy.' },
    { name: 'UnhealthyThresholdCount', kind: { type: 'int', min: 2, max: 10 }, default: 2, doc: 'Consecutive failures to mark a target unhealthy.' },
    { name: 'HealthCheckProtocol', kind: { type: 'enum', values: ['TCP', 'HTTPS', 'HTTP'] }, default: 'TCP', doc: 'TCP connect check (default) or an HTTP(S) GET of HealthCheckPath.' },
    { name: 'HealthCheckPath', kind: { type: 'string' }, default: '/healthz', doc: 'Path of an HTTP(S) check.' },
  ],
  keepalived: [
    { name: 'advert_int', kind: { type: 'int', min: 1, max: 255, unit: 's' }, default: 1, doc: 'VRRP advertisement interval; the backup takes over after 3 missed adverts plus skew time.' },
    { name: 'vrrp_script interval', kind: { type: 'int', min: 1, unit: 's' }, default: 3, doc: 'Interval of the check_apiserver script (kubeadm guide: 3).' },
    { name: 'vrrp_script weight', kind: { type: 'int', min: -253, max: 253 }, default: -2, doc: 'Priority change while the script fails (kubeadm guide: -2).' },
    { name: 'vrrp_script fall', kind: { type: 'int', min: 1 }, default: 10, doc: 'Failures before the script counts as failed (kubeadm guide: 10).' },
    { name: 'vrrp_script rise', kind: { type: 'int', min: 1 }, default: 2, doc: 'Successes before it counts as passing again (kubeadm guide: 2).' },
  ],
};

export const COMPONENT_NAMES = Object.keys(COMPONENT_FLAGS) as ComponentName[];

export function findFlag(component: ComponentName, name: string): FlagDef | undefined {
  return COMPONENT_FLAGS[component].find((f) => f.name === name);
}

/** Every `component.flag` key valid in `--set`, in table order. */
export function allFlagKeys(): string[] {
  return COMPONENT_NAMES.flatMap((c) => COMPONENT_FLAGS[c].map((f) => `${c}.${f.name}`));
}

/** A HAProxy time (`2000` = 2000 ms, `2s`, `500ms`, `1m`) in µs, or null if malformed. */
export function parseHaproxyTimeUs(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value * 1000 : null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const m = /^(\d+)(us|ms|s|m|h|d)$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unitUs: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000, d: 86_400_000_000 };
  return n * unitUs[m[2]!]!;
}

/** A kind's expectation in words, used in error messages: `a duration like 15s`. */
export function describeKind(kind: FlagKind): string {
  switch (kind.type) {
    case 'duration':
      return 'a duration like 100ms, 15s or 2m';
    case 'int': {
      const range = kind.min !== undefined && kind.max !== undefined ? ` between ${kind.min} and ${kind.max}` : kind.min !== undefined ? ` >= ${kind.min}` : '';
      return `a whole number${kind.unit === 'ms' ? ' of milliseconds' : kind.unit === 's' ? ' of seconds' : ''}${range}`;
    }
    case 'float':
      return `a number${kind.min !== undefined ? ` between ${kind.min} and ${kind.max ?? 'any'}` : ''}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${kind.values.join(', ')}`;
    case 'string':
      return 'a string';
    case 'haproxy-time':
      return 'a HAProxy time like 2s, 500ms or 2000 (milliseconds)';
  }
}

/**
 * Checks and normalises one flag value. Strings from the command line (`--set`) are converted to the kind's type.
 * Returns the value or a message saying what was expected.
 */
export function checkFlagValue(flag: FlagDef, value: unknown, fromString = false): { ok: true; value: string | number | boolean } | { ok: false; message: string } {
  const kind = flag.kind;
  const bad = (): { ok: false; message: string } => ({ ok: false, message: `expected ${describeKind(kind)}, got ${showValue(value)}` });
  switch (kind.type) {
    case 'duration': {
      if (value === 0) return { ok: true, value: '0s' };
      if (typeof value === 'number') return { ok: false, message: `expected ${describeKind(kind)}, got ${value} (a bare number has no unit: write ${value}s or ${value}ms)` };
      if (typeof value !== 'string') return bad();
      let us: number;
      try {
        us = parseDurationUs(value);
      } catch {
        return bad();
      }
      if (us < 0) return { ok: false, message: `expected a non-negative duration, got ${showValue(value)}` };
      if (kind.positive && us <= 0) return { ok: false, message: `expected a duration greater than zero, got ${showValue(value)}` };
      return { ok: true, value };
    }
    case 'int': {
      const n = fromString && typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) return bad();
      if ((kind.min !== undefined && n < kind.min) || (kind.max !== undefined && n > kind.max)) return bad();
      return { ok: true, value: n };
    }
    case 'float': {
      const n = fromString && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return bad();
      if ((kind.min !== undefined && n < kind.min) || (kind.max !== undefined && n > kind.max)) return bad();
      return { ok: true, value: n };
    }
    case 'bool': {
      const b = fromString && (value === 'true' || value === 'false') ? value === 'true' : value;
      return typeof b === 'boolean' ? { ok: true, value: b } : bad();
    }
    case 'enum':
      return typeof value === 'string' && kind.values.includes(value) ? { ok: true, value } : bad();
    case 'string':
      return typeof value === 'string' && value.trim() !== '' ? { ok: true, value } : bad();
    case 'haproxy-time': {
      const n = fromString && typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if ((typeof n !== 'string' && typeof n !== 'number') || parseHaproxyTimeUs(n) === null) return bad();
      return { ok: true, value: n };
    }
  }
}

export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}
