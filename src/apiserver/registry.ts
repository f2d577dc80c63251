// The apiserver's generic registry over etcd (k8s.io/apiserver pkg/registry/generic/registry/store.go over
// pkg/storage/etcd3/store.go), for the resources of objects.ts.
//
// - Objects are stored as JSON under `/registry/<resource>/<namespace>/<name>` (Nodes: `/registry/minions/<name>`),
//   without metadata.resourceVersion; on the way out resourceVersion = the key's etcd mod_revision (lists: the
//   response header revision).
// - Get: a linearizable etcd Range of the key. List: a linearizable Range of the prefix.
// - Create: Txn(mod_revision(key) == 0 ? put) -> 409 AlreadyExists when the key exists.
// - Update = GuaranteedUpdate: read the current object, run the update function (UID precondition, resourceVersion
//   check -> 409 Conflict with the exact text, 422 when resourceVersion is missing and the strategy forbids
//   unconditional updates, create-on-update for Leases and Events), skip the write if nothing changed, then
//   Txn(mod_revision == read revision ? put : get); a lost Txn re-runs the update function on the object the Txn
//   returned (which then yields the client's 409 if it sent a stale resourceVersion).
// - Delete: Txn(mod_revision == read revision ? delete : get), retried likewise; returns the deleted object.
// - Binding (POST pods/<name>/binding): a GuaranteedUpdate of the pod setting spec.nodeName and PodScheduled=True;
//   an already-bound pod -> 409 `Operation cannot be fulfilled on pods/binding "x": pod x is already assigned to
//   node "y"`.
// etcd errors that are not storage errors pass through as 500 with etcd's text (ErrorToAPIStatus).
// Simplifications (docs/faithfulness.md): no watch cache (every read goes to etcd; a real apiserver serves
// GuaranteedUpdate's first read and RV="0" reads from its cache), no graceful pod deletion, no admission,
// `limit`/`continue` ignored, JSON rather than protobuf in etcd.
import type { EtcdClient, EtcdClientError } from '../client/etcd-client';
import type { KeyValue, TxnResponse } from '../raft/etcd-api';
import type { Random } from '../sim/rng';
import {
  LEASES,
  EVENTS,
  PODS,
  NODES,
  REPLICASETS,
  etcdKey,
  formatTime,
  type KubeList,
  type KubeObject,
  type Pod,
  type ResourceType,
  type Status,
} from './objects';
import type { ApiserverBugs } from '../check/bugs';
import { alreadyExists, badRequest, conflict, notFound, resourceConflict, resourceVersionRequired, unknownError } from './status';
import { JsonDecodeCache, jsonCopy } from './json-copy';

export type StoreResult<T> = { readonly ok: true; readonly code: number; readonly object: T } | { readonly ok: false; readonly status: Status };

export interface StoreCallOptions {
  /** The request context's deadline on the apiserver's monotonic clock; null for none. */
  readonly deadlineMonoUs: number | null;
}

/** Resources whose strategy allows create-on-update (AllowCreateOnUpdate). */
const CREATE_ON_UPDATE: ReadonlySet<ResourceType> = new Set<ResourceType>([LEASES, EVENTS] as ResourceType[]);

/** GuaranteedUpdate loops until it wins; this bounds a runaway (it cannot happen with a sane etcd). */
const MAX_UPDATE_LOOPS = 1000;

/** names.SimpleNameGenerator's alphabet and length. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const NAME_RANDOM_LENGTH = 5;

export interface SelectorFilter {
  /** metadata.name=<x> and spec.nodeName=<x>; anything else is rejected by the handler. */
  readonly fieldName?: string;
  readonly fieldNodeName?: string;
  readonly labels?: ReadonlyArray<readonly [string, string]>;
}

export function matchesFilter(object: KubeObject, filter: SelectorFilter | null): boolean {
  if (filter === null) return true;
  if (filter.fieldName !== undefined && object.metadata.name !== filter.fieldName) return false;
  if (filter.fieldNodeName !== undefined && ((object as Pod).spec?.nodeName ?? '') !== filter.fieldNodeName) return false;
  if (filter.labels !== undefined) {
    const labels = object.metadata.labels;
    for (const [k, v] of filter.labels) if (labels === undefined || labels[k] !== v) return false;
  }
  return true;
}

/**
 * Stored values parsed so far (a pure cache: every apiserver of every run may share it). The same stored object is
 * decoded many times (each GET, GuaranteedUpdate's read, lists, by every apiserver): copying a parse is ~4x faster.
 */
const storedValues = new JsonDecodeCache();

/** Decodes a stored value into a fresh object (JSON.parse) carrying its resourceVersion. */
export function decode(kv: KeyValue): KubeObject {
  return decodeAt(kv.value, kv.modRevision);
}

/** Decodes a stored value into a fresh object (JSON.parse) with resourceVersion = `revision`. */
export function decodeAt(value: string, revision: number): KubeObject {
  const object = storedValues.parse(value) as KubeObject;
  object.metadata.resourceVersion = String(revision);
  return object;
}

/** Encodes an object for etcd (PrepareObjectForStorage: no resourceVersion). Mutates and restores `object`. */
function encode(object: KubeObject): string {
  const rv = object.metadata.resourceVersion;
  object.metadata.resourceVersion = undefined;
  const data = JSON.stringify(object);
  object.metadata.resourceVersion = rv;
  return data;
}

function etcdStatus(error: EtcdClientError): Status {
  return unknownError(error.message);
}

export class Registry {
  constructor(
    private readonly etcd: EtcdClient,
    private readonly rng: Random,
    /** The apiserver host's wall clock, Unix µs (creationTimestamp). */
    private readonly wallUs: () => number,
    /** TEST ONLY: injected mistakes (src/check/bugs.ts). */
    private readonly bugs: ApiserverBugs = {},
  ) {}

  get(resource: ResourceType, namespace: string | null, name: string, options: StoreCallOptions, callback: (result: StoreResult<KubeObject>) => void): void {
    const key = etcdKey(resource, namespace ?? undefined, name);
    this.etcd.range({ key }, this.etcdOptions(options), (r) => {
      if (!r.ok) return callback({ ok: false, status: etcdStatus(r.error) });
      const kv = r.response.kvs[0];
      if (kv === undefined) return callback({ ok: false, status: notFound(resource, name) });
      callback({ ok: true, code: 200, object: decode(kv) });
    });
  }

  list(resource: ResourceType, namespace: string | null, filter: SelectorFilter | null, options: StoreCallOptions, callback: (result: StoreResult<KubeList>) => void): void {
    const prefix = this.prefix(resource, namespace);
    this.etcd.range({ key: prefix, rangeEnd: prefixEnd(prefix) }, this.etcdOptions(options), (r) => {
      if (!r.ok) return callback({ ok: false, status: etcdStatus(r.error) });
      const items: KubeObject[] = [];
      for (const kv of r.response.kvs) {
        const object = decode(kv);
        if (matchesFilter(object, filter)) items.push(object);
      }
      const list: KubeList = { apiVersion: resource.apiVersion, kind: resource.listKind, metadata: { resourceVersion: String(r.response.header.revision) }, items };
      callback({ ok: true, code: 200, object: list });
    });
  }

  /** The etcd key prefix of a collection: `/registry/pods/default/`, or `/registry/pods/` for all namespaces. */
  prefix(resource: ResourceType, namespace: string | null): string {
    return resource.namespaced && namespace !== null ? `/registry/${resource.etcdResource}/${namespace}/` : `/registry/${resource.etcdResource}/`;
  }

  create(resource: ResourceType, namespace: string | null, object: KubeObject, options: StoreCallOptions, callback: (result: StoreResult<KubeObject>) => void): void {
    const meta = object.metadata;
    if ((meta.name === undefined || meta.name === '') && meta.generateName) meta.name = this.generateName(meta.generateName);
    const name = meta.name;
    if (name === undefined || name === '') return callback({ ok: false, status: this.nameRequired(resource) });
    if (resource.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
        return callback({ ok: false, status: badRequest('the namespace of the provided object does not match the namespace sent on the request') });
      }
      meta.namespace = namespace ?? undefined;
    }
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '' && meta.resourceVersion !== '0') {
      // etcd3 store.Create: storage.ErrResourceVersionSetOnCreate, not an API status -> 500.
      return callback({ ok: false, status: unknownError('resourceVersion should not be set on objects to be created') });
    }
    this.prepareForCreate(resource, object);
    const key = etcdKey(resource, namespace ?? undefined, name);
    const data = encode(object);
    this.etcd.txn(
      { compare: [{ key, target: 'mod', result: 'equal', operand: 0 }], success: [{ op: 'put', request: { key, value: data } }], failure: [] },
      this.etcdOptions(options),
      (r) => {
        if (!r.ok) return callback({ ok: false, status: etcdStatus(r.error) });
        if (!r.response.succeeded) return callback({ ok: false, status: alreadyExists(resource, name) });
        object.metadata.resourceVersion = String(r.response.header.revision);
        callback({ ok: true, code: 201, object });
      },
    );
  }

  /**
   * PUT of the whole object (or of its /status). `object` is the decoded request body (owned by the registry).
   */
  update(
    resource: ResourceType,
    namespace: string | null,
    name: string,
    object: KubeObject,
    subresource: 'status' | null,
    options: StoreCallOptions,
    callback: (result: StoreResult<KubeObject>) => void,
  ): void {
    if (object.metadata.name !== name) {
      return callback({ ok: false, status: badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`) });
    }
    if (resource.namespaced) {
      const ns = object.metadata.namespace;
      if (ns !== undefined && ns !== '' && ns !== namespace) {
        return callback({ ok: false, status: badRequest('the namespace of the provided object does not match the namespace sent on the request') });
      }
      object.metadata.namespace = namespace ?? undefined;
    }
    const uidPrecondition = object.metadata.uid !== undefined && object.metadata.uid !== '' ? object.metadata.uid : null;
    const sent = object.metadata.resourceVersion;
    // tryUpdate may run more than once (a lost Txn): the first run takes the decoded body, later ones a fresh copy
    // of it as it is now (a JSON round trip: jsonCopy).
    let pristine: KubeObject | null = object;
    const snapshot = jsonCopy(object);
    const take = (): KubeObject => {
      const o = pristine ?? jsonCopy(snapshot);
      pristine = null;
      return o;
    };
    const key = etcdKey(resource, namespace ?? undefined, name);
    const allowCreate = subresource === null && CREATE_ON_UPDATE.has(resource);
    this.guaranteedUpdate(
      resource,
      key,
      name,
      uidPrecondition,
      allowCreate,
      (existing) => {
        if (existing === null) {
          if (!allowCreate) return { status: notFound(resource, name) };
          // Create-on-update: system fields are wiped and refilled as on create.
          const fresh = take();
          fresh.metadata.uid = undefined;
          fresh.metadata.creationTimestamp = undefined;
          fresh.metadata.resourceVersion = undefined;
          this.prepareForCreate(resource, fresh);
          return { object: fresh, created: true };
        }
        const existingRv = existing.metadata.resourceVersion!;
        const updated = take();
        if (sent === undefined || sent === '' || sent === '0') {
          if (!resource.allowUnconditionalUpdate) return { status: resourceVersionRequired(resource, name) };
          updated.metadata.resourceVersion = existingRv;
        } else if (sent !== existingRv && this.bugs.updateWithoutResourceVersionCheck !== true) {
          // (TEST ONLY bug updateWithoutResourceVersionCheck skips this compare: last writer wins.)
          return { status: resourceConflict(resource, name) };
        }
        this.prepareForUpdate(resource, updated, existing, subresource);
        return { object: updated, created: false };
      },
      options,
      callback,
    );
  }

  delete(resource: ResourceType, namespace: string | null, name: string, options: StoreCallOptions, callback: (result: StoreResult<KubeObject>) => void): void {
    const key = etcdKey(resource, namespace ?? undefined, name);
    const etcdOptions = this.etcdOptions(options);
    const attempt = (current: KeyValue | undefined, loops: number): void => {
      if (current === undefined) return callback({ ok: false, status: notFound(resource, name) });
      if (loops > MAX_UPDATE_LOOPS) throw new Error(`delete of ${key} lost ${MAX_UPDATE_LOOPS} Txns in a row`);
      this.etcd.txn(
        {
          compare: [{ key, target: 'mod', result: 'equal', operand: current.modRevision }],
          success: [{ op: 'delete', request: { key } }],
          failure: [{ op: 'range', request: { key } }],
        },
        etcdOptions,
        (r) => {
          if (!r.ok) return callback({ ok: false, status: etcdStatus(r.error) });
          if (!r.response.succeeded) return attempt(txnRangeKv(r.response), loops + 1);
          callback({ ok: true, code: 200, object: decode(current) });
        },
      );
    };
    this.etcd.range({ key }, etcdOptions, (r) => {
      if (!r.ok) return callback({ ok: false, status: etcdStatus(r.error) });
      attempt(r.response.kvs[0], 0);
    });
  }

  /** The scheduler's binding of a pod to a node. */
  bind(namespace: string, podName: string, nodeName: string, options: StoreCallOptions, callback: (result: StoreResult<Status>) => void): void {
    const key = etcdKey(PODS as ResourceType, namespace, podName);
    this.guaranteedUpdate(
      PODS as ResourceType,
      key,
      podName,
      null,
      false,
      (existing) => {
        if (existing === null) return { status: notFound(PODS as ResourceType, podName) };
        const pod = existing as Pod;
        if (pod.metadata.deletionTimestamp !== undefined) {
          return { status: conflict('pods/binding', '', 'pods/binding', podName, `pod ${podName} is being deleted, cannot be assigned to a host`) };
        }
        if ((pod.spec.nodeName ?? '') !== '') {
          return { status: conflict('pods/binding', '', 'pods/binding', podName, `pod ${podName} is already assigned to node ${JSON.stringify(pod.spec.nodeName)}`) };
        }
        pod.spec.nodeName = nodeName;
        const status = pod.status ?? (pod.status = {});
        const conditions = status.conditions ?? (status.conditions = []);
        const now = formatTime(this.wallUs());
        const existingCondition = conditions.find((c) => c.type === 'PodScheduled');
        if (existingCondition === undefined) conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
        else if (existingCondition.status !== 'True') {
          existingCondition.status = 'True';
          existingCondition.lastTransitionTime = now;
          delete existingCondition.reason;
          delete existingCondition.message;
        }
        return { object: pod, created: false };
      },
      options,
      (r) => {
        if (!r.ok) return callback(r);
        callback({ ok: true, code: 201, object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } });
      },
    );
  }

  // ---------------------------------------------------------------------------------------------- internals

  private etcdOptions(options: StoreCallOptions): { deadlineMonoUs?: number } {
    return options.deadlineMonoUs === null ? {} : { deadlineMonoUs: options.deadlineMonoUs };
  }

  /**
   * storage.GuaranteedUpdate: `tryUpdate` gets the current object (null if absent) and returns the new object or an
   * error status. Writes only if the encoding changed; retries on a lost Txn with the object it returned.
   */
  private guaranteedUpdate(
    resource: ResourceType,
    key: string,
    name: string,
    uidPrecondition: string | null,
    ignoreNotFound: boolean,
    tryUpdate: (existing: KubeObject | null) => { object: KubeObject; created: boolean } | { status: Status },
    options: StoreCallOptions,
    callback: (result: StoreResult<KubeObject>) => void,
  ): void {
    const etcdOptions = this.etcdOptions(options);
    const loop = (current: KeyValue | undefined, loops: number): void => {
      if (loops > MAX_UPDATE_LOOPS) throw new Error(`GuaranteedUpdate of ${key} lost ${MAX_UPDATE_LOOPS} Txns in a row`);
      const existing = current === undefined ? null : decode(current);
      // getCurrentState without ignoreNotFound: a missing key is a NotFound before anything else.
      if (existing === null && !ignoreNotFound) return callback({ ok: false, status: notFound(resource, name) });
      if (uidPrecondition !== null && (existing?.metadata.uid ?? '') !== uidPrecondition) {
        // Preconditions.Check -> storage.NewInvalidObjError -> InterpretUpdateError -> 409 Conflict.
        const cause = `Precondition failed: UID in precondition: ${uidPrecondition}, UID in object meta: ${existing?.metadata.uid ?? ''}`;
        return callback({ ok: false, status: resourceConflict(resource, name, cause) });
      }
      const result = tryUpdate(existing);
      if ('status' in result) return callback({ ok: false, status: result.status });
      const updated = result.object;
      const data = encode(updated);
      const modRevision = current === undefined ? 0 : current.modRevision;
      if (current !== undefined && data === current.value) {
        // Nothing changed: no write (the stored data is current, we just read it).
        updated.metadata.resourceVersion = String(current.modRevision);
        return callback({ ok: true, code: 200, object: updated });
      }
      this.etcd.txn(
        {
          compare: [{ key, target: 'mod', result: 'equal', operand: modRevision }],
          success: [{ op: 'put', request: { key, value: data } }],
          failure: [{ op: 'range', request: { key } }],
        },
        etcdOptions,
        (r) => {
          if (!r.ok) return callback({ ok: false, status: etcdStatus(r.error) });
          if (!r.response.succeeded) return loop(txnRangeKv(r.response), loops + 1);
          updated.metadata.resourceVersion = String(r.response.header.revision);
          callback({ ok: true, code: result.created ? 201 : 200, object: updated });
        },
      );
    };
    this.etcd.range({ key }, etcdOptions, (r) => {
      if (!r.ok) return callback({ ok: false, status: etcdStatus(r.error) });
      loop(r.response.kvs[0], 0);
    });
  }

  private nameRequired(resource: ResourceType): Status {
    // BeforeCreate validation: metadata.name Required.
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `${resource.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
      reason: 'Invalid',
      details: { kind: resource.kind, group: resource.group, causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }] },
      code: 422,
    };
  }

  private generateName(base: string): string {
    let suffix = '';
    for (let i = 0; i < NAME_RANDOM_LENGTH; i++) suffix += NAME_ALPHABET[this.rng.int(NAME_ALPHABET.length)];
    return `${base.length > 58 ? base.slice(0, 58) : base}${suffix}`;
  }

  /** FillObjectMetaSystemFields + the strategies' PrepareForCreate and defaulting. */
  private prepareForCreate(resource: ResourceType, object: KubeObject): void {
    const meta = object.metadata;
    meta.uid = this.rng.uuid();
    meta.creationTimestamp = formatTime(this.wallUs());
    meta.deletionTimestamp = undefined;
    meta.resourceVersion = undefined;
    if (resource === (PODS as ResourceType)) {
      const pod = object as Pod;
      pod.spec.schedulerName ??= 'default-scheduler';
      pod.spec.restartPolicy ??= 'Always';
      pod.spec.terminationGracePeriodSeconds ??= 30;
      pod.status = { phase: 'Pending', ...(pod.status?.conditions ? { conditions: pod.status.conditions } : {}) };
      meta.generation = 1;
    } else if (resource === (REPLICASETS as ResourceType) || resource === (NODES as ResourceType)) {
      if (resource === (REPLICASETS as ResourceType)) {
        meta.generation = 1;
        const rs = object as unknown as { spec: { replicas?: number }; status?: unknown };
        rs.spec.replicas ??= 1;
        rs.status = { replicas: 0 };
      }
    }
  }

  /** BeforeUpdate (generation, uid, creationTimestamp kept) and the strategies' PrepareForUpdate. */
  private prepareForUpdate(resource: ResourceType, object: KubeObject, old: KubeObject, subresource: 'status' | null): void {
    const meta = object.metadata;
    const oldMeta = old.metadata;
    if (oldMeta.generation !== undefined) meta.generation = oldMeta.generation;
    else delete meta.generation;
    if (meta.uid === undefined || meta.uid === '') meta.uid = oldMeta.uid;
    if (oldMeta.creationTimestamp !== undefined) meta.creationTimestamp = oldMeta.creationTimestamp;
    if (oldMeta.deletionTimestamp !== undefined) meta.deletionTimestamp = oldMeta.deletionTimestamp;
    if (!resource.hasStatus) return;
    const o = object as unknown as { spec?: unknown; status?: unknown };
    const p = old as unknown as { spec?: unknown; status?: unknown };
    if (subresource === 'status') {
      // Status updates change status only (and labels/annotations in some strategies; not modelled).
      o.spec = p.spec;
      meta.labels = oldMeta.labels;
      meta.annotations = oldMeta.annotations;
      meta.ownerReferences = oldMeta.ownerReferences;
    } else {
      // Spec updates keep the old status; a changed spec bumps generation (for objects that have one).
      o.status = p.status;
      if (meta.generation !== undefined && JSON.stringify(o.spec) !== JSON.stringify(p.spec)) meta.generation++;
    }
  }
}

/** The kv a failed Txn's range returned (undefined if the key is gone). */
function txnRangeKv(response: TxnResponse): KeyValue | undefined {
  const op = response.responses[0];
  return op !== undefined && op.op === 'range' ? op.response.kvs[0] : undefined;
}

/** clientv3.GetPrefixRangeEnd for the ASCII prefixes used here. */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
