// The Kubernetes API objects the simulated control plane works with, shaped as their JSON (field names, nesting,
// omitempty) so that what the apiserver stores in etcd, what clients receive and what kubectl prints are the real
// shapes. Only the fields the scheduler, controller-manager, kubelets, leader election and kubectl use are modelled.
//
// Shared contract: the apiserver (src/apiserver), the REST client (src/client), leader election and the
// components (src/lease, src/controllers, src/kubelet), kubectl. Change only in agreement with them.
//
// Ownership rule for objects crossing the simulated wire: a sender must not mutate an object after handing it to
// a client call or a response; a receiver owns what it receives (the apiserver decodes a fresh copy from etcd for
// every response, so clients may mutate what they get).
//
// Times: metav1.Time fields are RFC 3339 strings with whole seconds ("2025-01-01T00:00:12Z"); metav1.MicroTime
// fields (Lease acquireTime/renewTime) always carry 6 fraction digits ("2025-01-01T00:00:12.345678Z"). Use the
// formatters at the end of this file with a host's wallUs().

// ------------------------------------------------------------------------------------------------ metadata

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  /** Absent for cluster-scoped objects (Nodes). */
  namespace?: string;
  generateName?: string;
  /** Set by the apiserver on create (a UUID); clients leave it empty. */
  uid?: string;
  /** The etcd mod_revision of the stored object, as a decimal string; set by the apiserver. */
  resourceVersion?: string;
  generation?: number;
  /** metav1.Time (RFC 3339, seconds); set by the apiserver on create. */
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

export interface TypeMeta {
  readonly apiVersion: string;
  readonly kind: string;
}

/** Any stored object. */
export interface KubeObject extends TypeMeta {
  metadata: ObjectMeta;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
}

/** LeaseList, PodList, ... */
export interface KubeList<T extends KubeObject = KubeObject> extends TypeMeta {
  metadata: ListMeta;
  items: T[];
}

// ------------------------------------------------------------------------------------------------ Lease

/** coordination.k8s.io/v1 LeaseSpec. Update replaces the whole spec. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime: "2006-01-02T15:04:05.000000Z". */
  acquireTime?: string;
  /** MicroTime. */
  renewTime?: string;
  leaseTransitions?: number;
  /** Coordinated leader election (KEP-4355): "OldestEmulationVersion". */
  strategy?: string;
  preferredHolder?: string;
}

export interface Lease extends KubeObject {
  readonly apiVersion: 'coordination.k8s.io/v1';
  readonly kind: 'Lease';
  spec: LeaseSpec;
}

// ------------------------------------------------------------------------------------------------ Pod

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: TaintEffect;
  tolerationSeconds?: number;
}

export interface PodSpec {
  /** Set by the scheduler's binding (POST pods/<name>/binding). */
  nodeName?: string;
  /** Default "default-scheduler" (set by the apiserver's defaulting). */
  schedulerName?: string;
  containers: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  priority?: number;
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  terminationGracePeriodSeconds?: number;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
export type PodConditionType = 'PodScheduled' | 'Initialized' | 'ContainersReady' | 'Ready' | 'DisruptionTarget' | 'PodReadyToStartContainers';

export interface PodCondition {
  type: PodConditionType;
  status: ConditionStatus;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  image: string;
  started?: boolean;
  state?: { running?: { startedAt: string }; waiting?: { reason: string; message?: string }; terminated?: { exitCode: number; reason?: string } };
}

export interface PodStatus {
  phase?: PodPhase;
  conditions?: PodCondition[];
  hostIP?: string;
  podIP?: string;
  startTime?: string;
  containerStatuses?: ContainerStatus[];
  reason?: string;
  message?: string;
}

export interface Pod extends KubeObject {
  readonly apiVersion: 'v1';
  readonly kind: 'Pod';
  spec: PodSpec;
  status?: PodStatus;
}

/** v1 Binding: the body the scheduler POSTs to pods/<name>/binding. */
export interface Binding extends KubeObject {
  readonly apiVersion: 'v1';
  readonly kind: 'Binding';
  target: { kind: 'Node'; apiVersion?: 'v1'; name: string };
}

// ------------------------------------------------------------------------------------------------ Node

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  timeAdded?: string;
}

export interface NodeSpec {
  taints?: Taint[];
  unschedulable?: boolean;
  podCIDR?: string;
}

export type NodeConditionType = 'Ready' | 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'NetworkUnavailable';

export interface NodeCondition {
  type: NodeConditionType;
  status: ConditionStatus;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  /** e.g. "KubeletReady", "NodeStatusUnknown". */
  reason?: string;
  /** e.g. "kubelet is posting ready status", "Kubelet stopped posting node status." */
  message?: string;
}

export interface NodeStatus {
  conditions?: NodeCondition[];
  addresses?: Array<{ type: 'InternalIP' | 'Hostname' | 'ExternalIP'; address: string }>;
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  nodeInfo?: {
    kubeletVersion: string;
    containerRuntimeVersion?: string;
    osImage?: string;
    kernelVersion?: string;
    architecture?: string;
    operatingSystem?: string;
  };
}

export interface Node extends KubeObject {
  readonly apiVersion: 'v1';
  readonly kind: 'Node';
  spec: NodeSpec;
  status?: NodeStatus;
}

// ------------------------------------------------------------------------------------------------ ReplicaSet

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

export interface PodTemplateSpec {
  metadata?: Partial<ObjectMeta>;
  spec: PodSpec;
}

export interface ReplicaSetSpec {
  /** Default 1. */
  replicas?: number;
  minReadySeconds?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
}

export interface ReplicaSet extends KubeObject {
  readonly apiVersion: 'apps/v1';
  readonly kind: 'ReplicaSet';
  spec: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

// ------------------------------------------------------------------------------------------------ Event

/** core/v1 Event, as client-go's event recorder writes them ("<id> became leader"). */
export interface KubeEvent extends KubeObject {
  readonly apiVersion: 'v1';
  readonly kind: 'Event';
  involvedObject: { kind: string; namespace?: string; name: string; uid?: string; apiVersion?: string; resourceVersion?: string };
  reason: string;
  message: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string;
  lastTimestamp?: string;
  count?: number;
  type: 'Normal' | 'Warning';
  reportingComponent?: string;
  reportingInstance?: string;
}

// ------------------------------------------------------------------------------------------------ Status

/** metav1.StatusReason values the simulation produces. '' is StatusReasonUnknown. */
export type StatusReason =
  | ''
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'Gone'
  | 'Expired'
  | 'Timeout'
  | 'ServerTimeout'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'NotAcceptable';

export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  /** For most errors the resource (plural, "leases"), as apimachinery fills it. */
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** metav1.Status: every failed API call's body (and some successes, e.g. a DELETE). */
export interface Status {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: ListMeta;
  readonly status: 'Success' | 'Failure';
  readonly message?: string;
  readonly reason?: StatusReason;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** One watch event (metav1.WatchEvent); ERROR carries a Status. */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T | Status;
}

// ------------------------------------------------------------------------------------------------ resources

/**
 * A REST resource the apiserver serves. `T` ties typed client calls to the object type.
 * `etcdResource` is the key segment etcd stores it under (`/registry/<etcdResource>/<ns>/<name>`), which differs
 * from the resource name for Nodes (`minions`).
 */
export interface ResourceType<T extends KubeObject = KubeObject> {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** Plural resource name in URLs: "leases". */
  readonly resource: string;
  readonly kind: T['kind'];
  readonly listKind: string;
  /** "coordination.k8s.io/v1", or "v1" for the core group. */
  readonly apiVersion: T['apiVersion'];
  readonly namespaced: boolean;
  readonly etcdResource: string;
  /** How errors name it: "leases.coordination.k8s.io", or "pods" for the core group. */
  readonly qualified: string;
  /** kubectl's singular name and short names, for `kubectl get lease|leases|...`. */
  readonly singular: string;
  readonly shortNames: readonly string[];
  /**
   * Whether an update without metadata.resourceVersion is applied unconditionally (the strategy's
   * AllowUnconditionalUpdate); if false such an update is rejected with 422 Invalid.
   */
  readonly allowUnconditionalUpdate: boolean;
  /** Whether the resource has a /status subresource (spec and status updated separately). */
  readonly hasStatus: boolean;
}

function resourceType<T extends KubeObject>(r: Omit<ResourceType<T>, 'apiVersion' | 'qualified' | 'listKind'>): ResourceType<T> {
  return {
    ...r,
    apiVersion: (r.group === '' ? r.version : `${r.group}/${r.version}`) as T['apiVersion'],
    qualified: r.group === '' ? r.resource : `${r.resource}.${r.group}`,
    listKind: `${r.kind}List`,
  };
}

// allowUnconditionalUpdate follows each strategy in kubernetes/pkg/registry/*/strategy.go (see
// docs/faithfulness.md): Leases false, Pods/Nodes/ReplicaSets/Events true.
export const LEASES: ResourceType<Lease> = resourceType<Lease>({
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  namespaced: true,
  etcdResource: 'leases',
  singular: 'lease',
  shortNames: [],
  allowUnconditionalUpdate: false,
  hasStatus: false,
});

export const PODS: ResourceType<Pod> = resourceType<Pod>({
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  namespaced: true,
  etcdResource: 'pods',
  singular: 'pod',
  shortNames: ['po'],
  allowUnconditionalUpdate: true,
  hasStatus: true,
});

export const NODES: ResourceType<Node> = resourceType<Node>({
  group: '',
  version: 'v1',
  resource: 'nodes',
  kind: 'Node',
  namespaced: false,
  etcdResource: 'minions',
  singular: 'node',
  shortNames: ['no'],
  allowUnconditionalUpdate: true,
  hasStatus: true,
});

export const REPLICASETS: ResourceType<ReplicaSet> = resourceType<ReplicaSet>({
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  kind: 'ReplicaSet',
  namespaced: true,
  etcdResource: 'replicasets',
  singular: 'replicaset',
  shortNames: ['rs'],
  allowUnconditionalUpdate: true,
  hasStatus: true,
});

export const EVENTS: ResourceType<KubeEvent> = resourceType<KubeEvent>({
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  namespaced: true,
  etcdResource: 'events',
  singular: 'event',
  shortNames: ['ev'],
  allowUnconditionalUpdate: true,
  hasStatus: false,
});

/** Every resource the simulated apiserver serves. */
export const RESOURCES: readonly ResourceType[] = [LEASES, PODS, NODES, REPLICASETS, EVENTS] as readonly ResourceType[];

/** The etcd key of an object: `/registry/leases/kube-system/kube-scheduler`, `/registry/minions/node-1`. */
export function etcdKey(resource: ResourceType, namespace: string | undefined, name: string): string {
  return resource.namespaced ? `/registry/${resource.etcdResource}/${namespace}/${name}` : `/registry/${resource.etcdResource}/${name}`;
}

// ------------------------------------------------------------------------------------------------ time formats

/** metav1.Time: RFC 3339 in UTC with whole seconds, "2025-01-01T00:00:12Z". */
export function formatTime(wallUs: number): string {
  return `${isoSeconds(Math.floor(wallUs / 1_000_000))}Z`;
}

/** metav1.MicroTime: RFC 3339 in UTC with exactly 6 fraction digits, "2025-01-01T00:00:12.345678Z". */
export function formatMicroTime(wallUs: number): string {
  const seconds = Math.floor(wallUs / 1_000_000);
  const micros = wallUs - seconds * 1_000_000;
  return `${isoSeconds(seconds)}.${String(micros).padStart(6, '0')}Z`;
}

const SECONDS_PER_DAY = 86_400;

/**
 * "YYYY-MM-DDTHH:MM:SS" of a Unix time in whole seconds: the first 19 characters of Date.toISOString, computed
 * without a Date (leases and node status format times on every renewal: a hot path). Days to a civil date is
 * Howard Hinnant's days_from_civil inverse (proleptic Gregorian, as Date; floor division keeps it right before 1970).
 * Years outside 0..9999 print as toISOString does, signed with six digits (then cut to 19 characters as it is).
 */
function isoSeconds(seconds: number): string {
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  const secondOfDay = seconds - days * SECONDS_PER_DAY;
  // Shift the epoch to 0000-03-01 so that leap days end each 4/100/400-year cycle ("era" = 400 years).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const marchMonth = Math.floor((5 * dayOfYear + 2) / 153); // 0 = March
  const day = dayOfYear - Math.floor((153 * marchMonth + 2) / 5) + 1;
  const month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay - hour * 3600) / 60);
  const second = secondOfDay - hour * 3600 - minute * 60;
  const yearText = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  const text = `${yearText}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}`;
  return yearText.length === 4 ? text : text.slice(0, 19);
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Parses a metav1.Time or MicroTime string (UTC "Z" form) into Unix microseconds; throws on anything else. */
export function parseTimeUs(text: string): number {
  const fast = parseTimeUsFast(text);
  if (fast !== null) return fast;
  const m = TIME_RE.exec(text);
  if (m === null) throw new RangeError(`parsing time "${text}": expected RFC 3339 in UTC, e.g. 2025-01-01T00:00:12Z`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1_000_000 + 1e-6);
  return ms * 1000 + fraction;
}

/**
 * TIME_RE's two usual forms read digit by digit (no match array, no substrings): "YYYY-MM-DDTHH:MM:SSZ" and the
 * same with 1 to 6 fraction digits before the Z. null for anything else (the regular expression decides then).
 * The fraction is then exact: Math.floor(Number(`0.${f}`) * 1e6 + 1e-6) is f scaled to 6 digits.
 */
function parseTimeUsFast(text: string): number | null {
  const length = text.length;
  if (length !== 20 && !(length >= 22 && length <= 27)) return null;
  if (text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH || text.charCodeAt(10) !== UPPER_T) return null;
  if (text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON || text.charCodeAt(length - 1) !== UPPER_Z) return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  let fraction = 0;
  if (length !== 20) {
    if (text.charCodeAt(19) !== DOT) return null;
    const fractionDigits = length - 21;
    fraction = digits(text, 20, length - 1);
    if (fraction < 0) return null;
    for (let i = fractionDigits; i < 6; i++) fraction *= 10;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) * 1000 + fraction;
}

const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const UPPER_T = 0x54;
const UPPER_Z = 0x5a;

/** The decimal number in text[from, to), or -1 if a character there is not an ASCII digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
