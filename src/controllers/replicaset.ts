// The ReplicaSet controller (pkg/controller/replicaset): keeps `spec.replicas` active pods per ReplicaSet.
// manageReplicas: too few -> create the difference (burstReplicas 500) from the template with generateName
// `<rs>-` and a controller ownerReference; too many -> delete the surplus, unscheduled and pending pods first.
// Expectations: after creating or deleting, the controller does not act on that ReplicaSet again until it has
// observed its own creations/deletions (or 5 minutes passed) — per process, so two acting leaders (split brain)
// each create the missing pods: more pods than replicas, until one of them deletes the surplus.
//
// Simplification: informers are modelled as a LIST of ReplicaSets and pods every `periodUs` (resourceVersion
// "0"); pods are matched to a ReplicaSet by controller ownerReference (no adoption of orphans); no slow-start
// batches (creations go out together); status updates are not written.
import { PODS, REPLICASETS, type Pod, type ReplicaSet } from '../apiserver/objects';
import type { RestClient } from '../client/rest-client';
import type { ActingHandle } from '../lease/acting';
import type { Context } from '../lease/go-context';
import { jitterUntil } from '../lease/wait';
import type { ProcessContext } from '../sim/process';
import { createIn, deleteIn, listIn, outcomeOf } from './api';
import { recordEvent } from './events';

/** controller.ExpectationsTimeout. */
const EXPECTATIONS_TIMEOUT_US = 5 * 60 * 1_000_000;
/** replicaset.BurstReplicas. */
const BURST_REPLICAS = 500;

interface Expectation {
  /** Names of pods created and not yet seen in a list. */
  readonly adds: Set<string>;
  /** Creations in flight (their names are not known yet). */
  pendingCreates: number;
  /** Names deleted and still seen in a list. */
  readonly dels: Set<string>;
  readonly setAtMonoUs: number;
}

export class ReplicaSetController {
  private readonly expectations = new Map<string, Expectation>();

  constructor(
    private readonly ctx: ProcessContext,
    private readonly client: RestClient,
    private readonly periodUs: number,
    private readonly verbosity: number,
  ) {}

  start(leadingCtx: Context, acting: ActingHandle | null): void {
    jitterUntil(this.ctx, leadingCtx, (next) => this.sync(leadingCtx, acting, next), this.periodUs, 0, () => {});
  }

  private sync(ctx: Context, acting: ActingHandle | null, next: () => void): void {
    listIn(ctx, this.client, REPLICASETS, null, { resourceVersion: '0' }, (sets) => {
      if (!sets.ok) {
        next();
        return;
      }
      listIn(ctx, this.client, PODS, null, { resourceVersion: '0' }, (pods) => {
        if (!pods.ok) {
          next();
          return;
        }
        let outstanding = 1;
        const finished = (): void => {
          if (--outstanding === 0) next();
        };
        for (const rs of sets.object.items) {
          outstanding++;
          this.syncReplicaSet(ctx, acting, rs, pods.object.items, finished);
        }
        finished();
      });
    });
  }

  private syncReplicaSet(ctx: Context, acting: ActingHandle | null, rs: ReplicaSet, allPods: Pod[], done: () => void): void {
    const key = `${rs.metadata.namespace}/${rs.metadata.name}`;
    const owned = allPods.filter((p) => p.metadata.namespace === rs.metadata.namespace && p.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === rs.metadata.uid));
    if (!this.satisfied(key, owned)) {
      done();
      return;
    }
    const active = owned.filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const replicas = rs.spec.replicas ?? 1;
    const diff = active.length - replicas;
    if (diff === 0) {
      done();
      return;
    }
    if (diff < 0) {
      const creating = Math.min(-diff, BURST_REPLICAS);
      if (this.verbosity >= 2) this.ctx.log('debug', `"Too few replicas" replicaSet="${key}" need=${replicas} creating=${creating}`);
      const exp: Expectation = { adds: new Set(), pendingCreates: creating, dels: new Set(), setAtMonoUs: this.ctx.monoUs() };
      this.expectations.set(key, exp);
      let outstanding = creating;
      for (let i = 0; i < creating; i++) {
        createIn(ctx, this.client, PODS, rs.metadata.namespace!, this.podFromTemplate(rs), (result) => {
          exp.pendingCreates--;
          if (result.ok) {
            exp.adds.add(result.object.metadata.name);
            recordEvent(this.ctx, 'replicaset-controller', `ReplicaSet/${key}`, 'Normal', 'SuccessfulCreate', `Created pod: ${result.object.metadata.name}`);
          }
          acting?.action('create-pod', result.ok ? `${rs.metadata.namespace}/${result.object.metadata.name}` : `${key}-*`, outcomeOf(result), `replicaset ${key}`);
          if (--outstanding === 0) done();
        });
      }
      return;
    }
    const deleting = Math.min(diff, BURST_REPLICAS);
    if (this.verbosity >= 2) this.ctx.log('debug', `"Too many replicas" replicaSet="${key}" need=${replicas} deleting=${deleting}`);
    const victims = [...active].sort(deletionOrder).slice(0, deleting);
    const exp: Expectation = { adds: new Set(), pendingCreates: 0, dels: new Set(victims.map((p) => p.metadata.name)), setAtMonoUs: this.ctx.monoUs() };
    this.expectations.set(key, exp);
    let outstanding = victims.length;
    for (const pod of victims) {
      deleteIn(ctx, this.client, PODS, pod.metadata.namespace!, pod.metadata.name, (result) => {
        if (result.ok) recordEvent(this.ctx, 'replicaset-controller', `ReplicaSet/${key}`, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        else exp.dels.delete(pod.metadata.name);
        acting?.action('delete-pod', `${pod.metadata.namespace}/${pod.metadata.name}`, outcomeOf(result), `replicaset ${key}`);
        if (--outstanding === 0) done();
      });
    }
  }

  /** SatisfiedExpectations: own creations and deletions observed, or expired. */
  private satisfied(key: string, owned: Pod[]): boolean {
    const exp = this.expectations.get(key);
    if (exp === undefined) return true;
    if (this.ctx.monoUs() - exp.setAtMonoUs > EXPECTATIONS_TIMEOUT_US) {
      this.expectations.delete(key);
      return true;
    }
    if (exp.pendingCreates > 0) return false;
    const names = new Set(owned.map((p) => p.metadata.name));
    for (const name of exp.adds) if (names.has(name)) exp.adds.delete(name);
    for (const name of exp.dels) if (!names.has(name)) exp.dels.delete(name);
    if (exp.adds.size > 0 || exp.dels.size > 0) return false;
    this.expectations.delete(key);
    return true;
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
