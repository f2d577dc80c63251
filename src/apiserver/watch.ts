// Serving a WATCH: an etcd watch of the collection's prefix turned into Kubernetes watch events.
// - resourceVersion "" or "0": synthetic ADDED events for the current objects (a linearizable LIST), then
//   changes after that revision; a specific resourceVersion R: changes after R (etcd watch from R+1).
// - A PUT is ADDED (version 1) or MODIFIED; a DELETE is DELETED carrying the last state (prevKv) with the
//   deletion's revision. With a field/label selector, an object entering the selection is ADDED and one leaving
//   it is DELETED, as the apiserver's filtering does.
// - The etcd watch requires a leader (the apiserver sets WithRequireLeader): a leaderless etcd member ends it.
// - The watch ends after timeoutSeconds, or a random time in [--min-request-timeout, 2x) when none is given.
// Simplification: served straight from etcd, not from the apiserver's watch cache (so no BOOKMARK events and no
// 410 Gone: the simulated etcd is never compacted).
import type { EtcdClient, EtcdCallHandle } from '../client/etcd-client';
import type { KeyValue, WatchEvent as EtcdWatchEvent } from '../raft/etcd-api';
import type { ProcessContext, Timer } from '../sim/process';
import type { KubeObject, ResourceType, Status, WatchEvent } from './objects';
import { decode, decodeAt, matchesFilter, type Registry, type SelectorFilter } from './registry';
import { badRequest } from './status';

export interface WatchSink {
  event(event: WatchEvent): void;
  /** The watch ended: null when it ran its course (timeout, etcd ended it), else an error status to send. */
  end(status: Status | null): void;
}

export interface ServedWatch {
  stop(): void;
}

function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function withRevision(kv: KeyValue, revision: number): KubeObject {
  return decodeAt(kv.value, revision);
}

export function serveWatch(
  ctx: ProcessContext,
  etcd: EtcdClient,
  registry: Registry,
  resource: ResourceType,
  namespace: string | null,
  resourceVersion: string | undefined,
  filter: SelectorFilter | null,
  durationUs: number,
  sink: WatchSink,
): ServedWatch {
  const prefix = registry.prefix(resource, namespace);
  let etcdWatch: EtcdCallHandle | null = null;
  let stopped = false;
  let timer: Timer | null = null;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    etcdWatch?.cancel();
    etcdWatch = null;
    ctx.clearTimer(timer);
    timer = null;
  };
  const finish = (status: Status | null): void => {
    if (stopped) return;
    stop();
    sink.end(status);
  };

  const onEtcdEvent = (e: EtcdWatchEvent): void => {
    if (e.type === 'DELETE') {
      if (e.prevKv === undefined) return;
      const prev = withRevision(e.prevKv, e.kv.modRevision);
      if (matchesFilter(prev, filter)) sink.event({ type: 'DELETED', object: prev });
      return;
    }
    const object = decode(e.kv);
    const now = matchesFilter(object, filter);
    if (filter === null || e.prevKv === undefined) {
      if (now) sink.event({ type: e.kv.version === 1 ? 'ADDED' : 'MODIFIED', object });
      return;
    }
    const before = matchesFilter(decode(e.prevKv), filter);
    if (now && before) sink.event({ type: 'MODIFIED', object });
    else if (now) sink.event({ type: 'ADDED', object });
    else if (before) sink.event({ type: 'DELETED', object });
  };

  const startEtcdWatch = (fromRevision: number): void => {
    if (stopped) return;
    etcdWatch = etcd.watch(
      { key: prefix, rangeEnd: prefixEnd(prefix), startRevision: fromRevision, prevKv: true, requireLeader: true },
      (response) => {
        if (stopped) return;
        for (const e of response.events) onEtcdEvent(e);
      },
      () => finish(null),
    );
  };

  timer = ctx.setTimer(durationUs, () => {
    timer = null;
    finish(null);
  });

  if (resourceVersion === undefined || resourceVersion === '' || resourceVersion === '0') {
    registry.list(resource, namespace, filter, { deadlineMonoUs: null }, (r) => {
      if (stopped) return;
      if (!r.ok) return finish(r.status);
      for (const item of r.object.items) sink.event({ type: 'ADDED', object: item });
      startEtcdWatch(Number(r.object.metadata.resourceVersion) + 1);
    });
  } else {
    const rv = Number(resourceVersion);
    if (!Number.isInteger(rv) || rv < 0) {
      // storage.ParseResourceVersion: `invalid resource version "x": ...`.
      queueMicrotaskFree(() => finish(badRequest(`invalid resource version ${JSON.stringify(resourceVersion)}`)));
    } else startEtcdWatch(rv + 1);
  }
  return { stop };

  function queueMicrotaskFree(fn: () => void): void {
    ctx.setTimer(0, fn);
  }
}
