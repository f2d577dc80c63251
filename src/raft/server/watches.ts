// The Watch service of one member (server/etcdserver/api/v3rpc/watch.go over mvcc's watchableStore): each Watch RPC
// is one watcher streaming WatchResponses — first `created`, then the events since startRevision (catch-up), then
// one response per write transaction touching its range.
//
// require-leader streams (clientv3.WithRequireLeader, which the kube-apiserver uses for every watch): refused with
// "etcdserver: no leader" when the member knows no leader; cancelled with it once the member has seen no leader at
// 3 consecutive election-timeout checks (v3rpc/interceptor.go monitorLeader, maxNoLeaderCnt = 3).
//
// Simplifications: one watcher per stream (etcd multiplexes many watch IDs on one stream); no progress
// notifications, fragmentation or compaction (history is complete); catch-up comes as one response.
import type { RpcResponder, RpcServerRequest } from '../../sim/rpc';
import type { EtcdReply, ResponseHeader, WatchCreateRequest, WatchEvent, WatchResponse } from '../etcd-api';
import type { MvccStore, StoreWatcher } from '../mvcc/store';
import { keyRange } from '../mvcc/store';
import { ERR } from './requests';

/** v3rpc maxNoLeaderCnt. */
export const MAX_NO_LEADER_CHECKS = 3;

const NO_EVENTS: readonly WatchEvent[] = [];

interface ActiveWatch extends StoreWatcher {
  readonly request: RpcServerRequest;
  readonly respond: RpcResponder;
  readonly requireLeader: boolean;
  readonly prevKv: boolean;
}

export class WatchHub {
  private readonly active = new Set<ActiveWatch>();
  private noLeaderChecks = 0;

  constructor(
    private readonly store: MvccStore,
    private readonly header: (revision: number) => ResponseHeader,
    private readonly hasLeader: () => boolean,
  ) {}

  get size(): number {
    return this.active.size;
  }

  create(req: WatchCreateRequest, request: RpcServerRequest, respond: RpcResponder): void {
    if (req.requireLeader === true && !this.hasLeader()) {
      respond.reply(ERR.noLeader satisfies EtcdReply<'Watch'>);
      return;
    }
    const prevKv = req.prevKv === true;
    const watch: ActiveWatch = {
      range: keyRange(req.key, req.rangeEnd),
      request,
      respond,
      requireLeader: req.requireLeader === true,
      prevKv,
      onEvents: (events, revision) => this.deliver(watch, events, revision),
    };
    this.active.add(watch);
    const created: WatchResponse = { header: this.header(this.store.revision), created: true, canceled: false, cancelReason: '', compactRevision: 0, events: NO_EVENTS };
    respond.push(created);
    const past = this.store.watch(watch, req.startRevision ?? 0);
    if (past.length > 0) this.deliver(watch, past, this.store.revision);
  }

  private deliver(watch: ActiveWatch, events: readonly WatchEvent[], revision: number): void {
    if (watch.request.cancelled) {
      this.drop(watch);
      return;
    }
    const out = watch.prevKv ? events : events.map(stripPrevKv);
    const resp: WatchResponse = { header: this.header(revision), created: false, canceled: false, cancelReason: '', compactRevision: 0, events: out };
    watch.respond.push(resp);
  }

  private drop(watch: ActiveWatch): void {
    this.active.delete(watch);
    this.store.unwatch(watch);
  }

  /** Every election timeout (monitorLeader): cancel require-leader streams after 3 leaderless checks. */
  monitorLeader(): void {
    if (this.hasLeader()) {
      this.noLeaderChecks = 0;
      return;
    }
    this.noLeaderChecks++;
    if (this.noLeaderChecks < MAX_NO_LEADER_CHECKS) return;
    for (const watch of [...this.active]) {
      if (!watch.requireLeader) continue;
      this.drop(watch);
      watch.respond.reply(ERR.noLeader);
    }
  }

  /** Drops watchers whose clients went away (called on client disconnects). */
  sweep(): void {
    for (const watch of [...this.active]) if (watch.request.cancelled) this.drop(watch);
  }
}

function stripPrevKv(e: WatchEvent): WatchEvent {
  return e.prevKv === undefined ? e : { type: e.type, kv: e.kv };
}
