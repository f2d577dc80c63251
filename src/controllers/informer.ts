// A client-go shared informer, reduced to what the components use: a Reflector (LIST from resourceVersion "0",
// then WATCH from the list's resourceVersion, re-WATCH when a watch ends normally, re-LIST after an error or a
// 410 Expired), a local cache (the indexer) and event handlers called after the cache changed (add / update /
// delete, including the differences a re-LIST reveals).
// Watches carry timeoutSeconds drawn in [5 min, 10 min) (minWatchTimeout x (1 + rand)), as the reflector asks.
// As client-go's Reflector.RunWithContext: every ListAndWatch that returns (an error, a very short watch) is
// followed by the reflector's back-off delay (800 ms doubling to a 30 s cap, jitter 1.0, so [d, 2d), reset when no
// delay was taken for 2 min); a watch that closes within 1 s with no event is a VeryShortWatchError
// ("very short watch: ...: Unexpected watch close - watch lasted less than a second and no items received").
// Simplification: a watch request that fails to start re-LISTs after the delay (client-go retries the WATCH alone).
import type { KubeList, KubeObject, ResourceType, WatchEvent, Status } from '../apiserver/objects';
import type { ApiError, RequestHandle, RestClient } from '../client/rest-client';
import type { Context } from '../lease/go-context';
import type { ProcessContext } from '../sim/process';
import { listIn } from './api';

export interface InformerHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

const BACKOFF_INITIAL_US = 800_000;
const BACKOFF_MAX_US = 30_000_000;
const BACKOFF_RESET_US = 120_000_000;
const VERY_SHORT_WATCH_US = 1_000_000;
const MIN_WATCH_TIMEOUT_S = 300;

export function keyOf(o: KubeObject): string {
  return o.metadata.namespace === undefined ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`;
}

export class Informer<T extends KubeObject> {
  /** The indexer: objects by `namespace/name` (or `name`). */
  readonly cache = new Map<string, T>();
  /** HasSynced: the first LIST has been delivered. */
  synced = false;
  private readonly handlers: Array<InformerHandlers<T>> = [];
  private readonly syncWaiters: Array<() => void> = [];
  private resourceVersion = '0';
  private backoffUs = BACKOFF_INITIAL_US;
  private lastDelayMonoUs: number | null = null;
  private watchHandle: RequestHandle | null = null;
  private started = false;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly client: RestClient,
    readonly resource: ResourceType<T>,
    private readonly namespace: string | null,
  ) {}

  addEventHandler(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
    // A handler added late receives the cache as adds (as client-go's AddEventHandler does).
    if (this.synced) for (const obj of this.cache.values()) handlers.onAdd?.(obj);
  }

  /** Calls fn once the cache has synced (at once if it has). */
  whenSynced(fn: () => void): void {
    if (this.synced) fn();
    else this.syncWaiters.push(fn);
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): IterableIterator<T> {
    return this.cache.values();
  }

  /** Starts the reflector; it runs until `runCtx` is done. */
  run(runCtx: Context): void {
    if (this.started) return;
    this.started = true;
    runCtx.onDone(() => {
      this.watchHandle?.cancel();
      this.watchHandle = null;
    });
    this.listAndWatch(runCtx);
  }

  private listAndWatch(runCtx: Context): void {
    if (runCtx.done) return;
    listIn(runCtx, this.client, this.resource, this.namespace, { resourceVersion: '0' }, (result) => {
      if (runCtx.done) return;
      if (!result.ok) {
        this.ctx.log('error', `"Failed to watch" err="failed to list ${this.kind()}: ${result.error.message}"`);
        this.retryLater(runCtx);
        return;
      }
      this.replace(result.object);
      this.watch(runCtx);
    });
  }

  private watch(runCtx: Context): void {
    if (runCtx.done) return;
    const timeoutSeconds = Math.floor(MIN_WATCH_TIMEOUT_S * (1 + this.ctx.rng.float()));
    const startUs = this.ctx.monoUs();
    let events = 0;
    let relist = false;
    this.watchHandle = this.client.watch(
      this.resource,
      this.namespace,
      { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
      (event) => {
        events++;
        if (relist) return;
        if (!this.apply(event as WatchEvent<T>)) relist = true;
      },
      (error: ApiError | null) => {
        this.watchHandle = null;
        if (runCtx.done) return;
        if (relist || error !== null) {
          if (error !== null && !(error.kind === 'status' && error.code === 410)) this.ctx.log('info', `"Watch failed" err="${error.message}"`);
          this.retryLater(runCtx);
          return;
        }
        if (events === 0 && this.ctx.monoUs() - startUs < VERY_SHORT_WATCH_US) {
          this.ctx.log('info', `"Warning: watch ended with error" err="very short watch: ${this.kind()}: Unexpected watch close - watch lasted less than a second and no items received"`);
          this.retryLater(runCtx);
          return;
        }
        // A watch that ran its course is simply started again from where it was.
        this.watch(runCtx);
      },
    );
  }

  /** wait.Backoff.DelayWithReset(clock, 2 min): the next delay, jittered, the backoff reset after 2 min unused. */
  private retryLater(runCtx: Context): void {
    const nowUs = this.ctx.monoUs();
    if (this.lastDelayMonoUs !== null && nowUs - this.lastDelayMonoUs >= BACKOFF_RESET_US) this.backoffUs = BACKOFF_INITIAL_US;
    this.lastDelayMonoUs = nowUs;
    const baseUs = this.backoffUs;
    this.backoffUs = Math.min(this.backoffUs * 2, BACKOFF_MAX_US);
    const delayUs = Math.round(baseUs * (1 + this.ctx.rng.float()));
    this.ctx.setTimer(delayUs, () => this.listAndWatch(runCtx));
  }

  /** Applies a watch event; false if the watch must be abandoned (an ERROR: re-LIST). */
  private apply(event: WatchEvent<T>): boolean {
    if (event.type === 'ERROR') return false;
    const obj = event.object as T;
    if (obj.metadata?.resourceVersion !== undefined) this.resourceVersion = obj.metadata.resourceVersion;
    if (event.type === 'BOOKMARK') return true;
    const key = keyOf(obj);
    const old = this.cache.get(key);
    if (event.type === 'DELETED') {
      if (old === undefined) return true;
      this.cache.delete(key);
      for (const h of this.handlers) h.onDelete?.(obj);
      return true;
    }
    this.cache.set(key, obj);
    for (const h of this.handlers) {
      if (old === undefined) h.onAdd?.(obj);
      else h.onUpdate?.(old, obj);
    }
    return true;
  }

  /** Replace: the LIST becomes the cache; handlers see the differences. */
  private replace(list: KubeList<T>): void {
    this.resourceVersion = list.metadata.resourceVersion ?? this.resourceVersion;
    const seen = new Set<string>();
    for (const obj of list.items) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, obj);
      if (old === undefined) for (const h of this.handlers) h.onAdd?.(obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) for (const h of this.handlers) h.onUpdate?.(old, obj);
    }
    for (const [key, old] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      for (const h of this.handlers) h.onDelete?.(old);
    }
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters.splice(0);
      for (const fn of waiters) fn();
    }
  }

  private kind(): string {
    return `*v1.${this.resource.kind}`;
  }
}

/** Is a watch event's object a Status (an ERROR event)? */
export function isStatus(o: unknown): o is Status {
  return (o as { kind?: string }).kind === 'Status';
}
