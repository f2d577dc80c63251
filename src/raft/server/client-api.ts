// The client API of a member: etcd's gRPC services (KV, Watch, Maintenance, Cluster) over src/sim/rpc on the client
// port (2379), with the request semantics of server/etcdserver/v3_server.go and api/v3rpc.
//
// Until the member has published itself through Raft it accepts connections but answers nothing (etcd opens the
// listener early and starts serving on ReadyNotify): calls wait, and their clients time out.
import { serveRpc, type RpcResponder, type RpcServerRequest } from '../../sim/rpc';
import type {
  DeleteRangeRequest,
  EtcdError,
  EtcdMethod,
  MemberListRequest,
  MemberListResponse,
  MoveLeaderRequest,
  PutRequest,
  RangeRequest,
  StatusResponse,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
} from '../etcd-api';
import { MvccRangeError } from '../mvcc/store';
import { NONE } from '../types';
import type { EtcdServer } from './etcd-server';
import { ERR } from './requests';

/** bbolt's file for a fresh member (5 pages of 4 KiB); etcdctl shows it as "20 kB". */
const DB_SIZE_BASE = 20480;
const DB_PAGE_SIZE = 4096;

export function serveClientApi(server: EtcdServer): void {
  const ctx = server.ctx;
  const trace = ctx.host.engine.trace;
  const handle = (request: RpcServerRequest, respond: RpcResponder): void => {
    const arrivedUs = ctx.monoUs();
    let reply = respond;
    if (trace.wants('etcd.request')) {
      reply = {
        push: (body) => respond.push(body),
        reply: (body) => {
          const error = (body as Partial<EtcdError> | null)?.error;
          trace.emit('etcd.request', {
            host: ctx.host.name,
            member: server.cfg.name,
            method: request.method,
            outcome: error !== undefined ? error.message : 'ok',
            tookUs: ctx.monoUs() - arrivedUs,
          });
          respond.reply(body);
        },
      };
    }
    if (server.ready) dispatch(server, request, reply, arrivedUs);
    else {
      server.whenReady(() => {
        if (request.cancelled || server.stopping) return;
        dispatch(server, request, reply, arrivedUs);
      });
    }
  };
  serveRpc(ctx, server.cfg.clientListenPort, handle, { onDisconnect: () => server.watches.sweep() });
}

function dispatch(server: EtcdServer, request: RpcServerRequest, respond: RpcResponder, arrivedUs: number): void {
  const method = request.method as EtcdMethod;
  // The server's context: the client's deadline (gRPC timeout, measured from arrival), capped by ReqTimeout for
  // proposals.
  const clientDeadlineUs = request.timeoutUs === null ? Number.POSITIVE_INFINITY : arrivedUs + request.timeoutUs;
  const proposalDeadlineUs = Math.min(clientDeadlineUs, server.ctx.monoUs() + server.cfg.requestTimeoutUs);
  switch (method) {
    case 'Range': {
      const req = request.body as RangeRequest;
      const serve = (): void => respond.reply(range(server, req));
      if (req.serializable === true) serve();
      else server.linearizableRead((error) => (error !== null ? respond.reply(error) : serve()));
      return;
    }
    case 'Put':
      server.raftRequest({ kind: 'put', id: server.nextRequestId(), proposer: server.self, request: request.body as PutRequest }, proposalDeadlineUs, respond);
      return;
    case 'DeleteRange':
      server.raftRequest(
        { kind: 'delete-range', id: server.nextRequestId(), proposer: server.self, request: request.body as DeleteRangeRequest },
        proposalDeadlineUs,
        respond,
      );
      return;
    case 'Txn': {
      const req = request.body as TxnRequest;
      if (!isTxnReadOnly(req)) {
        server.raftRequest({ kind: 'txn', id: server.nextRequestId(), proposer: server.self, request: req }, proposalDeadlineUs, respond);
        return;
      }
      const serve = (): void => respond.reply(readOnlyTxn(server, req));
      if (isTxnSerializable(req)) serve();
      else server.linearizableRead((error) => (error !== null ? respond.reply(error) : serve()));
      return;
    }
    case 'Watch':
      server.watches.create(request.body as WatchCreateRequest, request, respond);
      return;
    case 'Status':
      respond.reply(status(server));
      return;
    case 'MemberList': {
      const req = (request.body ?? {}) as MemberListRequest;
      const serve = (): void => {
        const resp: MemberListResponse = { header: server.header(server.store.revision), members: server.membership.list() };
        respond.reply(resp);
      };
      if (req.linearizable === true) server.linearizableRead((error) => (error !== null ? respond.reply(error) : serve()));
      else serve();
      return;
    }
    case 'MoveLeader': {
      const req = request.body as MoveLeaderRequest;
      const deadlineUs = request.timeoutUs === null ? server.ctx.monoUs() + server.cfg.requestTimeoutUs : clientDeadlineUs;
      server.moveLeader(req.targetId, deadlineUs, (error) => respond.reply(error ?? { header: server.header(server.store.revision) }));
      return;
    }
    default:
      respond.reply(ERR.unknownMethod);
  }
}

function range(server: EtcdServer, req: RangeRequest): unknown {
  try {
    return server.store.range(req, server.header);
  } catch (err) {
    if (err instanceof MvccRangeError) return err.kind === 'future-revision' ? ERR.futureRev : ERR.compacted;
    throw err;
  }
}

function readOnlyTxn(server: EtcdServer, req: TxnRequest): TxnResponse | EtcdError {
  try {
    return server.store.txn(req, server.header);
  } catch (err) {
    if (err instanceof MvccRangeError) return err.kind === 'future-revision' ? ERR.futureRev : ERR.compacted;
    throw err;
  }
}

/** isTxnReadonly: every op of both branches is a range. */
export function isTxnReadOnly(req: TxnRequest): boolean {
  for (const op of req.success) if (op.op !== 'range') return false;
  for (const op of req.failure) if (op.op !== 'range') return false;
  return true;
}

/** isTxnSerializable: every op is a serializable range. */
function isTxnSerializable(req: TxnRequest): boolean {
  for (const op of req.success) if (op.op !== 'range' || op.request.serializable !== true) return false;
  for (const op of req.failure) if (op.op !== 'range' || op.request.serializable !== true) return false;
  return true;
}

/** Maintenance.Status: answered locally, no Raft round. */
export function status(server: EtcdServer): StatusResponse {
  const stats = server.store.stats();
  // Model: a fresh bbolt file plus whole pages for every stored revision (key, value, ~64 bytes of index and
  // metadata). Without compaction nothing is freed, so the size in use equals the file size.
  const dbSize = DB_SIZE_BASE + Math.ceil((stats.historyBytes + 64 * stats.totalRevisions) / DB_PAGE_SIZE) * DB_PAGE_SIZE;
  return {
    header: server.header(server.store.revision),
    version: server.cfg.version,
    dbSize,
    dbSizeInUse: dbSize,
    leader: server.lead === NONE ? '0' : server.idHex(server.lead),
    raftIndex: server.committedIndex,
    raftTerm: server.term,
    raftAppliedIndex: server.appliedIndex,
    errors: server.lead === NONE ? [ERR.noLeader.error.message] : [],
    isLearner: false,
  };
}
