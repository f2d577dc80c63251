// The ReplicaSet controller (pkg/controller/replicaset): keeps `spec.replicas` active pods per ReplicaSet.
// Driven by the shared informers' events: a ReplicaSet added or changed, or one of its pods added, changed or
// deleted, queues the ReplicaSet; a sync compares its active pods (from the cache) with spec.replicas:
// too few -> create the difference (burstReplicas 500) from the template with generateName `<rs>-` and a controller
// ownerReference; too many -> delete the surplus, unscheduled and pending pods first.
// Expectations (controller.ControllerExpectations): after creating or deleting, the controller does not sync that
// ReplicaSet again until its watch has shown its own creations/deletions (or 5 minutes passed). They are per
// process: two acting leaders (split brain) both see the same pod go and both create a replacement — more pods
// than replicas, until the surplus is deleted.
//
// Simplification: pods are matched by controller ownerReference (no adoption of orphans, no label-selector
// matching); creations go out together (no slow-start batches); status is not written.
import { PODS, type Pod, type ReplicaSet } from '../apiserver/objects';
import type { RestClient } from '../client/rest-client';
import type { ActingHandle } from '../lease/acting';
import type { Context } from '../lease/go-context';
import type { ProcessContext } from '../sim/process';
import { createIn, deleteIn, outcomeOf } from './api';
import { recordEvent } from './events';
import { keyOf, type Informer } from './informer';

/** controller.ExpectationsTimeout. */
const EXPECTATIONS_TIMEOUT_US = 5 * 60 * 1_000_000;
/** replicaset.BurstReplicas. */
const BURST_REPLICAS = 500;

interface Expectations {
  add: number;
  del: number;
  readonly setAtMonoUs: number;
}

export class ReplicaSetController {
  private readonly expectations = new Map<string, Expectations>();
  private readonly queue = new Set<string>();
  private readonly syncing = new Set<string>();
  private ctx: Context | null = null;
  private acting: ActingHandle | null = null;
  private drainScheduled = false;

  constructor(
    private readonly proc: ProcessContext,
    private readonly client: RestClient,
    private readonly sets: Informer<ReplicaSet>,
    private readonly pods: Informer<Pod>,
    private readonly verbosity: number,
  ) {}

  /** Registers the handlers and starts syncing once the caches have synced. */
  start(leadingCtx: Context, acting: ActingHandle | null): void {
    this.ctx = leadingCtx;
    this.acting = acting;
    this.sets.addEventHandler({ onAdd: (rs) => this.enqueue(keyOf(rs)), onUpdate: (_o, rs) => this.enqueue(keyOf(rs)) });
    this.pods.addEventHandler({
      onAdd: (pod) => {
        const rs = this.owner(pod);
        if (rs === null) return;
        this.observe(rs, 'add');
        this.enqueue(rs);
      },
      onUpdate: (_old, pod) => {
        const rs = this.owner(pod);
        if (rs !== null) this.enqueue(rs);
      },
      onDelete: (pod) => {
        const rs = this.owner(pod);
        if (rs === null) return;
        this.observe(rs, 'del');
        this.enqueue(rs);
      },
    });
    this.sets.whenSynced(() => this.pods.whenSynced(() => this.scheduleDrain()));
  }

  private owner(pod: Pod): string | null {
    const ref = pod.metadata.ownerReferences?.find((o) => o.controller === true && o.kind === 'ReplicaSet');
    return ref === undefined ? null : `${pod.metadata.namespace}/${ref.name}`;
  }

  private observe(rsKey: string, what: 'add' | 'del'): void {
    const exp = this.expectations.get(rsKey);
    if (exp === undefined) return;
    if (what === 'add') exp.add--;
    else exp.del--;
  }

  private enqueue(key: string): void {
    this.queue.add(key);
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.ctx === null || !this.sets.synced || !this.pods.synced) return;
    this.drainScheduled = true;
    this.proc.setTimer(0, () => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    const ctx = this.ctx;
    if (ctx === null || ctx.done) return;
    for (const key of [...this.queue]) {
      if (this.syncing.has(key)) continue; // a key is synced by one worker at a time; it stays queued
      this.queue.delete(key);
      this.syncing.add(key);
      this.syncReplicaSet(ctx, key, () => {
        this.syncing.delete(key);
        if (this.queue.has(key)) this.scheduleDrain();
      });
    }
  }

  private syncReplicaSet(ctx: Context, key: string, done: () => void): void {
    const rs = this.sets.get(key);
    if (rs === undefined || !this.satisfied(key)) {
      done();
      return;
    }
    const owned: Pod[] = [];
    for (const pod of this.pods.list()) {
      if (pod.metadata.namespace === rs.metadata.namespace && pod.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === rs.metadata.uid)) owned.push(pod);
    }
    const active = owned.filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const replicas = rs.spec.replicas ?? 1;
    const diff = active.length - replicas;
    if (diff === 0) {
      done();
      return;
    }
    const acting = this.acting;
    if (diff < 0) {
      const creating = Math.min(-diff, BURST_REPLICAS);
      if (this.verbosity >= 2) this.proc.log('debug', `"Too few replicas" replicaSet="${key}" need=${replicas} creating=${creating}`);
      const exp: Expectations = { add: creating, del: 0, setAtMonoUs: this.proc.monoUs() };
      this.expectations.set(key, exp);
      let outstanding = creating;
      for (let i = 0; i < creating; i++) {
        createIn(ctx, this.client, PODS, rs.metadata.namespace!, this.podFromTemplate(rs), (result) => {
          if (result.ok) recordEvent(this.proc, 'replicaset-controller', `ReplicaSet/${key}`, 'Normal', 'SuccessfulCreate', `Created pod: ${result.object.metadata.name}`);
          else exp.add--; // CreationObserved: the creation will never be seen
          acting?.action('create-pod', result.ok ? `${rs.metadata.namespace}/${result.object.metadata.name}` : `${key}-*`, outcomeOf(result), `replicaset ${key}`);
          if (--outstanding === 0) done();
        });
      }
      return;
    }
    const deleting = Math.min(diff, BURST_REPLICAS);
    if (this.verbosity >= 2) this.proc.log('debug', `"Too many replicas" replicaSet="${key}" need=${replicas} deleting=${deleting}`);
    const victims = [...active].sort(deletionOrder).slice(0, deleting);
    const exp: Expectations = { add: 0, del: victims.length, setAtMonoUs: this.proc.monoUs() };
    this.expectations.set(key, exp);
    let outstanding = victims.length;
    for (const pod of victims) {
      deleteIn(ctx, this.client, PODS, pod.metadata.namespace!, pod.metadata.name, (result) => {
        if (result.ok) recordEvent(this.proc, 'replicaset-controller', `ReplicaSet/${key}`, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        else exp.del--;
        acting?.action('delete-pod', keyOf(pod), outcomeOf(result), `replicaset ${key}`);
        if (--outstanding === 0) done();
      });
    }
  }

  /** SatisfiedExpectations: own creations and deletions observed, or expired, or never set. */
  private satisfied(key: string): boolean {
    const exp = this.expectations.get(key);
    if (exp === undefined) return true;
    if ((exp.add <= 0 && exp.del <= 0) || this.proc.monoUs() - exp.setAtMonoUs > EXPECTATIONS_TIMEOUT_US) {
      this.expectations.delete(key);
      return true;
    }
    return false;
  }

  private podFromTemplate(rs: ReplicaSet): Pod {
    const template = rs.spec.template;
    const labels = { ...(template.metadata?.labels ?? rs.spec.selector.matchLabels ?? {}) };
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: '',
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace!,
        labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      spec: structuredClone(template.spec),
    };
  }
}

/** getPodsToDelete's ranking, reduced: unassigned before assigned, Pending before Running, then newer first. */
function deletionOrder(a: Pod, b: Pod): number {
  const assigned = (p: Pod): number => ((p.spec.nodeName ?? '') === '' ? 0 : 1);
  const phase = (p: Pod): number => (p.status?.phase === 'Pending' ? 0 : p.status?.phase === undefined ? 1 : 2);
  return assigned(a) - assigned(b) || phase(a) - phase(b) || Number(b.metadata.resourceVersion ?? 0) - Number(a.metadata.resourceVersion ?? 0);
}
