// Test-only stand-in for an etcd cluster, speaking the client API of src/raft/etcd-api.ts over src/sim/rpc.ts.
// Every fake member serves one shared MvccStore (a perfectly replicated cluster); `cluster.hasLeader = false`
// models quorum loss: linearizable reads and writes wait (answering "etcdserver: request timed out" after the
// 7 s request timeout, or completing if the leader returns first), require-leader watches are refused/cancelled
// with "etcdserver: no leader", serializable reads still work.
import { MvccStore, keyRange, type StoreWatcher } from '../../src/raft/mvcc/store';
import { ETCD_CLIENT_PORT, ETCD_ERRORS, type EtcdMethod, type ResponseHeader, type WatchCreateRequest, type WatchResponse } from '../../src/raft/etcd-api';
import { serveRpc, type RpcResponder, type RpcServerRequest } from '../../src/sim/rpc';
import type { ProcessContext, ProcessSpec, Timer } from '../../src/sim/process';

export class FakeEtcdCluster {
  readonly store = new MvccStore();
  /** Quorum present. */
  hasLeader = true;
  /** Server request timeout (5 s + 2 x election timeout). */
  requestTimeoutUs = 7_000_000;
  /** Extra processing delay per request (µs). */
  processingUs = 0;
  /** Count of requests by method. */
  readonly counts = new Map<string, number>();
  private readonly parked = new Set<() => void>();
  private readonly leaderWatchers = new Set<() => void>();
  private readonly cancelOnLeaderLoss = new Set<() => void>();

  header(revision: number): ResponseHeader {
    return { clusterId: 'cdf818194e3a8c32', memberId: '8e9e05c52164694d', revision, raftTerm: 2 };
  }

  setLeader(hasLeader: boolean): void {
    this.hasLeader = hasLeader;
    if (hasLeader) {
      const parked = [...this.parked];
      this.parked.clear();
      for (const fn of parked) fn();
      for (const fn of this.leaderWatchers) fn();
    } else {
      const cancels = [...this.cancelOnLeaderLoss];
      this.cancelOnLeaderLoss.clear();
      for (const fn of cancels) fn();
    }
  }

  park(fn: () => void): () => void {
    this.parked.add(fn);
    return () => this.parked.delete(fn);
  }

  onLeaderLoss(fn: () => void): () => void {
    this.cancelOnLeaderLoss.add(fn);
    return () => this.cancelOnLeaderLoss.delete(fn);
  }

  /** A member process to add on a host: `host.addProcess(cluster.memberSpec())`. */
  memberSpec(name = 'etcd'): ProcessSpec {
    return { name, create: (ctx) => this.serve(ctx) };
  }

  private serve(ctx: ProcessContext): Record<string, never> {
    serveRpc(ctx, ETCD_CLIENT_PORT, (request, respond) => {
      this.counts.set(request.method, (this.counts.get(request.method) ?? 0) + 1);
      const run = (): void => this.handle(ctx, request, respond);
      if (this.processingUs > 0) ctx.setTimer(this.processingUs, run);
      else run();
    });
    return {};
  }

  private handle(ctx: ProcessContext, request: RpcServerRequest, respond: RpcResponder): void {
    const method = request.method as EtcdMethod;
    const store = this.store;
    const header = (rev: number): ResponseHeader => this.header(rev);
    if (method === 'Watch') {
      this.serveWatch(ctx, request.body as WatchCreateRequest, respond, request);
      return;
    }
    const exec = (): void => {
      switch (method) {
        case 'Range':
          respond.reply(store.range(request.body as never, header));
          return;
        case 'Put':
          respond.reply(store.put(request.body as never, header));
          return;
        case 'DeleteRange':
          respond.reply(store.deleteRange(request.body as never, header));
          return;
        case 'Txn':
          respond.reply(store.txn(request.body as never, header));
          return;
        case 'Status':
          respond.reply({
            header: header(store.revision),
            version: '3.5.16',
            dbSize: 0,
            dbSizeInUse: 0,
            leader: this.hasLeader ? '8e9e05c52164694d' : '0',
            raftIndex: 0,
            raftTerm: 2,
            raftAppliedIndex: 0,
            errors: [],
            isLearner: false,
          });
          return;
        default:
          respond.reply({ error: { code: 'Unknown', message: `unsupported ${method}` } });
      }
    };
    const serializable = method === 'Range' && (request.body as { serializable?: boolean }).serializable === true;
    if (this.hasLeader || serializable || method === 'Status') {
      exec();
      return;
    }
    // No leader: wait for one, or time out.
    let timer: Timer | null = null;
    const unpark = this.park(() => {
      ctx.clearTimer(timer);
      exec();
    });
    timer = ctx.setTimer(this.requestTimeoutUs, () => {
      unpark();
      respond.reply({ error: { code: 'Unavailable', message: ETCD_ERRORS.timeout } });
    });
  }

  private serveWatch(ctx: ProcessContext, req: WatchCreateRequest, respond: RpcResponder, request: RpcServerRequest): void {
    const store = this.store;
    if (req.requireLeader && !this.hasLeader) {
      respond.reply({ header: this.header(store.revision), created: false, canceled: true, cancelReason: ETCD_ERRORS.noLeader, compactRevision: 0, events: [] } satisfies WatchResponse);
      return;
    }
    const range = keyRange(req.key, req.rangeEnd);
    const watcher: StoreWatcher = {
      range,
      onEvents: (events, revision) => {
        if (request.cancelled) {
          store.unwatch(watcher);
          return;
        }
        respond.push({ header: this.header(revision), created: false, canceled: false, cancelReason: '', compactRevision: 0, events } satisfies WatchResponse);
      },
    };
    const catchUp = store.watch(watcher, req.startRevision ?? 0);
    respond.push({ header: this.header(store.revision), created: true, canceled: false, cancelReason: '', compactRevision: 0, events: [] } satisfies WatchResponse);
    if (catchUp.length > 0) respond.push({ header: this.header(store.revision), created: false, canceled: false, cancelReason: '', compactRevision: 0, events: catchUp });
    if (req.requireLeader) {
      this.onLeaderLoss(() => {
        store.unwatch(watcher);
        respond.reply({ header: this.header(store.revision), created: false, canceled: true, cancelReason: ETCD_ERRORS.noLeader, compactRevision: 0, events: [] } satisfies WatchResponse);
      });
    }
    void ctx;
  }
}
