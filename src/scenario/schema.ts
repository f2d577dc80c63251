// The schema of a scenario file (kube-ha-sim/v1 Scenario), checked with zod over the YAML document.
// Every object is strict: an unknown field is an error (with a "did you mean" where one is close).
// Durations are Go-style strings (`100ms`, `15s`, `2m`, `1h30m`) and come out of the schema as integer µs.
// What the schema cannot see (names that must exist, cross-field rules) is checked in resolve.ts.
import { z } from 'zod';
import { parseDurationUs } from '../sim/time';
import { COMPONENT_FLAGS, COMPONENT_NAMES, checkFlagValue, showValue, type ComponentName } from './flags';

const DURATION_HINT = 'a duration like 100ms, 15s or 2m';

/** A Go duration string (or the number 0) -> µs. */
function duration(options: { signed?: boolean; positive?: boolean } = {}) {
  return z.unknown().transform((value, ctx): number => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `required field missing: expected ${DURATION_HINT}` });
      return z.NEVER;
    }
    let us: number | null = null;
    if (value === 0) us = 0;
    else if (typeof value === 'string') {
      try {
        us = parseDurationUs(value);
      } catch {
        us = null;
      }
    }
    if (us === null) {
      const hint = typeof value === 'number' ? ` (a bare number has no unit: write ${value}s or ${value}ms)` : '';
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, got ${showValue(value)}${hint}` });
      return z.NEVER;
    }
    if (!options.signed && us < 0) {
      ctx.addIssue({ code: 'custom', message: `expected a non-negative duration, got ${showValue(value)}` });
      return z.NEVER;
    }
    if (options.positive && us <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a duration greater than zero, got ${showValue(value)}` });
      return z.NEVER;
    }
    return us;
  });
}

const probability = z.number().min(0).max(1);

/** A string matching `re`; the message says what was expected and what was found. */
function matching(re: RegExp, expected: string) {
  return z.string().superRefine((value, ctx) => {
    if (!re.test(value)) ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${showValue(value)}` });
  });
}

/** A DNS-1123 label: host names, scenario names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = (what: string) =>
  matching(DNS_LABEL, `${what} (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)`).pipe(z.string().max(63));

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ipv4 = matching(IPV4, 'an IPv4 address like 10.0.0.10');

const hostName = dnsLabel('a host name');
const hostEntry = z.union([hostName, z.strictObject({ name: hostName, address: ipv4.optional() })]);
/** A number of hosts (named and addressed by default) or a list of names / {name, address}. */
const hostList = z.union([z.number().int().min(0).max(64), z.array(hostEntry)]);

// ------------------------------------------------------------------------------------------ latency
const latencyDist = z.discriminatedUnion('distribution', [
  z.strictObject({ distribution: z.literal('constant'), value: duration() }),
  z.strictObject({ distribution: z.literal('uniform'), min: duration(), max: duration() }),
  z.strictObject({ distribution: z.literal('normal'), mean: duration(), stddev: duration(), floor: duration().optional() }),
  z.strictObject({ distribution: z.literal('lognormal'), median: duration({ positive: true }), sigma: z.number().min(0), floor: duration().optional() }),
]);
/** A constant (`5ms`) or a distribution. */
const latency = z.union([z.string(), latencyDist]).transform((v, ctx) => {
  if (typeof v !== 'string') return v;
  const r = duration().safeParse(v);
  if (!r.success) {
    ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT} or a distribution mapping, got ${showValue(v)}` });
    return z.NEVER;
  }
  return { distribution: 'constant' as const, value: r.data };
});
export type RawLatency = z.output<typeof latency>;

const linkFields = {
  latency: latency.optional(),
  loss: probability.optional(),
  duplicate: probability.optional(),
  reorder: probability.optional(),
  reorderDelay: latency.optional(),
};

/** `*` (any host) or a host name. */
const linkEnd = matching(/^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/, "a host name or '*'");

const network = z.strictObject({
  ...linkFields,
  links: z.array(z.strictObject({ from: linkEnd, to: linkEnd, ...linkFields })).optional(),
});

// ------------------------------------------------------------------------------------------ topology
const topology = z.strictObject({
  etcd: z.enum(['stacked', 'external']).optional(),
  /** static-pods (kubeadm: the kubelet runs and restarts them) or systemd (units; `systemctl stop` applies). */
  components: z.enum(['static-pods', 'systemd']).optional(),
  controlPlane: hostList.optional(),
  etcdHosts: hostList.optional(),
  workers: hostList.optional(),
  loadBalancer: z
    .strictObject({
      type: z.enum(['haproxy', 'nlb']).optional(),
      hosts: hostList.optional(),
      address: ipv4.optional(),
      port: z.number().int().min(1).max(65535).optional(),
    })
    .optional(),
  /** Run the API availability probe from a `client` host (10.0.0.250) through the load balancer. Default true. */
  apiProbe: z.boolean().optional(),
  /** Per-process start delays: `{server-1/kube-scheduler: 5s}` (kubeadm's join order, ...). */
  startDelays: z.record(z.string(), duration()).optional(),
});

// ------------------------------------------------------------------------------------------ components
function flagSection(component: ComponentName) {
  const shape: Record<string, z.ZodType> = {};
  for (const flag of COMPONENT_FLAGS[component]) {
    shape[flag.name] = z
      .unknown()
      .transform((value, ctx) => {
        const r = checkFlagValue(flag, value);
        if (!r.ok) {
          ctx.addIssue({ code: 'custom', message: r.message });
          return z.NEVER;
        }
        return r.value;
      })
      .optional();
  }
  return z.strictObject(shape);
}

const components = z.strictObject(
  Object.fromEntries(COMPONENT_NAMES.map((c) => [c, flagSection(c).optional()])) as Record<ComponentName, z.ZodOptional<ReturnType<typeof flagSection>>>,
);

// ------------------------------------------------------------------------------------------ disks
const disk = z.strictObject({ fsync: latency.optional() });
const disks = z.strictObject({ ...disk.shape, hosts: z.record(z.string(), disk).optional() });

// ------------------------------------------------------------------------------------------ clocks, workload
const clocks = z.strictObject({
  /** Wall-clock time of t=0, RFC3339 UTC. */
  epoch: matching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'an RFC3339 UTC time like 2025-01-01T00:00:00Z').optional(),
  hosts: z.record(z.string(), z.strictObject({ offset: duration({ signed: true }).optional(), driftPpm: z.number().gt(-1e6).optional() })).optional(),
});

const objectName = matching(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'a Kubernetes object name (lowercase letters, digits, - and .)');
const workload = z.strictObject({
  replicaSets: z
    .array(z.strictObject({ name: objectName, namespace: dnsLabel('a namespace').optional(), replicas: z.number().int().min(0).max(10000), at: duration().optional() }))
    .optional(),
  pods: z.array(z.strictObject({ name: objectName, namespace: dnsLabel('a namespace').optional(), at: duration().optional() })).optional(),
});

// ------------------------------------------------------------------------------------------ faults
/** `server-0`, `server-0/kube-scheduler`, or `{leaderOf: etcd|kube-scheduler|..., process?: name}` resolved when the fault fires. */
const processTarget = z.union([
  z.string().min(1),
  z.strictObject({ leaderOf: z.string().min(1), process: z.string().min(1).optional() }),
]);
const hostTarget = z.union([z.string().min(1), z.strictObject({ leaderOf: z.string().min(1) })]);

const at = duration();
const fault = z.discriminatedUnion('action', [
  z.strictObject({ at, action: z.literal('crash'), target: processTarget }),
  z.strictObject({ at, action: z.literal('restart'), target: processTarget, down: duration().optional() }),
  z.strictObject({ at, action: z.literal('stop'), target: processTarget, grace: duration().optional() }),
  z.strictObject({ at, action: z.literal('start'), target: processTarget }),
  z.strictObject({ at, action: z.literal('pause'), target: processTarget, duration: duration({ positive: true }).optional() }),
  z.strictObject({ at, action: z.literal('resume'), target: processTarget }),
  z.strictObject({ at, action: z.literal('partition'), groups: z.array(z.array(hostTarget).min(1)).min(2) }),
  z.strictObject({ at, action: z.literal('isolate'), target: hostTarget }),
  z.strictObject({ at, action: z.literal('cut'), from: hostTarget, to: hostTarget }),
  z.strictObject({ at, action: z.literal('heal'), target: hostTarget.optional() }),
  z.strictObject({ at, action: z.literal('loss'), from: linkEnd.optional(), to: linkEnd.optional(), rate: probability }),
  z.strictObject({ at, action: z.literal('delay'), from: linkEnd.optional(), to: linkEnd.optional(), latency }),
  z.strictObject({ at, action: z.literal('link'), from: linkEnd.optional(), to: linkEnd.optional(), ...linkFields }),
  z.strictObject({ at, action: z.literal('clear-link'), from: linkEnd.optional(), to: linkEnd.optional() }),
  z.strictObject({ at, action: z.literal('clock-skew'), target: hostTarget, offset: duration({ signed: true }) }),
  z.strictObject({ at, action: z.literal('clock-jump'), target: hostTarget, by: duration({ signed: true }), monotonic: z.boolean().optional() }),
  z.strictObject({ at, action: z.literal('clock-drift'), target: hostTarget, ppm: z.number().gt(-1e6).lt(1e6) }),
]);
export type RawFault = z.output<typeof fault>;
export const FAULT_ACTIONS = fault.options.map((o) => o.shape.action.value);

// ------------------------------------------------------------------------------------------ inspections
const inspection = z.strictObject({
  at,
  /** `etcdctl endpoint status -w table`, `kubectl get lease -n kube-system`, ... */
  exec: matching(/^\s*(etcdctl|kubectl)(\s|$)/, 'an etcdctl or kubectl command line, e.g. "etcdctl endpoint status -w table"'),
  /** The host the command runs on (default: the first control-plane host). */
  on: hostName.optional(),
  name: dnsLabel('a step name').optional(),
});

// ------------------------------------------------------------------------------------------ expectations
const lease = matching(/^([a-z0-9-]+\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a lease name like kube-scheduler or kube-system/kube-scheduler');
const expectation = z.discriminatedUnion('type', [
  /** At `at`, the lease has an acting leader (on `host`, if given). */
  z.strictObject({ type: z.literal('leader'), lease, at, host: hostName.optional() }),
  /** A leader other than the one acting at `after` starts acting within `within` of `after` (and not before `notBefore`). */
  z.strictObject({ type: z.literal('failover'), lease, after: at, within: duration({ positive: true }), notBefore: duration().optional(), host: hostName.optional() }),
  /** Nobody acts as leader of the lease between from and to. */
  z.strictObject({ type: z.literal('no-leader'), lease, from: at, to: at }),
  /** etcd has a leader within `within` of `after`. */
  z.strictObject({ type: z.literal('etcd-leader'), after: at, within: duration({ positive: true }) }),
  /** A member other than the one leading at `after` leads etcd within `within` of `after` (and not before `notBefore`). */
  z.strictObject({ type: z.literal('etcd-failover'), after: at, within: duration({ positive: true }), notBefore: duration().optional() }),
  /** etcd has no leader between from and to (quorum lost). */
  z.strictObject({ type: z.literal('no-etcd-leader'), from: at, to: at }),
  /** This invariant must be violated (a scenario that demonstrates a split brain). */
  z.strictObject({ type: z.literal('violation'), invariant: z.string().min(1), within: duration().optional() }),
  /** All invariants (or the one named) hold for the whole run. Always checked; stating it documents intent. */
  z.strictObject({ type: z.literal('no-violation'), invariant: z.string().min(1).optional() }),
  /** API unavailability seen by a client through the load balancer stays within these bounds. */
  z.strictObject({ type: z.literal('api-unavailable'), max: duration().optional(), min: duration().optional() }),
  /** Restarts of a process (crash-loop scenarios). */
  z.strictObject({ type: z.literal('restarts'), target: z.string().min(1), min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() }),
  /** A metric of the run within bounds (see docs/scenario-reference.md for the names); durations for time metrics. */
  z.strictObject({
    type: z.literal('metric'),
    metric: z.string().min(1),
    min: z.union([z.number(), z.string()]).optional(),
    max: z.union([z.number(), z.string()]).optional(),
  }),
  /** An inspection step's output contains (or does not contain) a text. */
  z.strictObject({ type: z.literal('output'), step: dnsLabel('a step name'), contains: z.string().optional(), notContains: z.string().optional() }),
]);
export type RawExpectation = z.output<typeof expectation>;
export const EXPECTATION_TYPES = expectation.options.map((o) => o.shape.type.value);

// ------------------------------------------------------------------------------------------ document
export const scenarioDocument = z.strictObject({
  apiVersion: z.literal('kube-ha-sim/v1'),
  kind: z.literal('Scenario'),
  metadata: z.strictObject({
    name: dnsLabel('a scenario name'),
    description: matching(/^[^\n]+$/, 'a one-line description').optional(),
  }),
  spec: z.strictObject({
    seed: z.union([z.number().int().min(0), z.string().min(1)]).optional(),
    duration: duration({ positive: true }).optional(),
    topology: topology.optional(),
    components: components.optional(),
    network: network.optional(),
    clocks: clocks.optional(),
    disks: disks.optional(),
    workload: workload.optional(),
    faults: z.array(fault).optional(),
    inspect: z.array(inspection).optional(),
    expectations: z.array(expectation).optional(),
  }),
});

export type RawScenario = z.output<typeof scenarioDocument>;
