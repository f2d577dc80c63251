// The etcd v3 client API as it crosses the simulated network (the gRPC services KV, Watch, Maintenance,
// Cluster), carried by src/sim/rpc.ts on each member's client port (2379). Shared by the etcd server
// (src/raft) and its clients (the kube-apiserver's etcd client, etcdctl): change it only in agreement with both.
// Field names follow etcdserverpb (snake_case in proto, camelCase here).

export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

export interface ResponseHeader {
  readonly clusterId: string;
  readonly memberId: string;
  readonly revision: number;
  readonly raftTerm: number;
}

export interface KeyValue {
  readonly key: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  readonly value: string;
}

export interface RangeRequest {
  readonly key: string;
  /** Half-open [key, rangeEnd); '\0' means every key >= key; absent means just `key`. */
  readonly rangeEnd?: string;
  readonly limit?: number;
  /** Read at this revision (0 or absent: latest). */
  readonly revision?: number;
  /** Serve from the member's local state without ReadIndex (not linearizable). */
  readonly serializable?: boolean;
  readonly countOnly?: boolean;
  readonly keysOnly?: boolean;
}
export interface RangeResponse {
  readonly header: ResponseHeader;
  readonly kvs: readonly KeyValue[];
  readonly more: boolean;
  readonly count: number;
}

export interface PutRequest {
  readonly key: string;
  readonly value: string;
  readonly prevKv?: boolean;
}
export interface PutResponse {
  readonly header: ResponseHeader;
  readonly prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  readonly key: string;
  readonly rangeEnd?: string;
  readonly prevKv?: boolean;
}
export interface DeleteRangeResponse {
  readonly header: ResponseHeader;
  readonly deleted: number;
  readonly prevKvs?: readonly KeyValue[];
}

export interface Compare {
  readonly key: string;
  readonly target: 'version' | 'create' | 'mod' | 'value';
  readonly result: 'equal' | 'greater' | 'less' | 'not-equal';
  /** The operand, typed by target: a number for version/create/mod, a string for value. */
  readonly operand: number | string;
}

export type RequestOp =
  | { readonly op: 'range'; readonly request: RangeRequest }
  | { readonly op: 'put'; readonly request: PutRequest }
  | { readonly op: 'delete'; readonly request: DeleteRangeRequest };

export type ResponseOp =
  | { readonly op: 'range'; readonly response: RangeResponse }
  | { readonly op: 'put'; readonly response: PutResponse }
  | { readonly op: 'delete'; readonly response: DeleteRangeResponse };

export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly RequestOp[];
  readonly failure: readonly RequestOp[];
}
export interface TxnResponse {
  readonly header: ResponseHeader;
  readonly succeeded: boolean;
  readonly responses: readonly ResponseOp[];
}

export interface WatchCreateRequest {
  readonly key: string;
  readonly rangeEnd?: string;
  /** Deliver events from this revision (inclusive); absent: from the next revision. */
  readonly startRevision?: number;
  readonly prevKv?: boolean;
  /**
   * clientv3.WithRequireLeader (gRPC metadata "hasleader"): refused with "etcdserver: no leader" when the member
   * knows no leader, and cancelled with it after 3 leaderless election timeouts. The kube-apiserver sets it on
   * every watch.
   */
  readonly requireLeader?: boolean;
}
export interface WatchEvent {
  readonly type: 'PUT' | 'DELETE';
  readonly kv: KeyValue;
  readonly prevKv?: KeyValue;
}
/** Pushed on the Watch stream: first { created: true }, then batches of events, or a cancel with a reason. */
export interface WatchResponse {
  readonly header: ResponseHeader;
  readonly created: boolean;
  readonly canceled: boolean;
  readonly cancelReason: string;
  readonly compactRevision: number;
  readonly events: readonly WatchEvent[];
}

export interface StatusResponse {
  readonly header: ResponseHeader;
  readonly version: string;
  readonly dbSize: number;
  readonly dbSizeInUse: number;
  readonly leader: string;
  readonly raftIndex: number;
  readonly raftTerm: number;
  readonly raftAppliedIndex: number;
  readonly errors: readonly string[];
  readonly isLearner: boolean;
}

export interface Member {
  readonly id: string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
  readonly isLearner: boolean;
}
/** clientv3 MemberList sends linearizable: true (a ReadIndex round before answering); absent means serializable. */
export interface MemberListRequest {
  readonly linearizable?: boolean;
}
export interface MemberListResponse {
  readonly header: ResponseHeader;
  readonly members: readonly Member[];
}

export interface MoveLeaderRequest {
  readonly targetId: string;
}
export interface MoveLeaderResponse {
  readonly header: ResponseHeader;
}

/** Every RPC: method name -> [request, response]. The rpc method string is the key. */
export interface EtcdMethods {
  Range: [RangeRequest, RangeResponse];
  Put: [PutRequest, PutResponse];
  DeleteRange: [DeleteRangeRequest, DeleteRangeResponse];
  Txn: [TxnRequest, TxnResponse];
  Watch: [WatchCreateRequest, WatchResponse];
  Status: [Record<string, never>, StatusResponse];
  MemberList: [MemberListRequest, MemberListResponse];
  MoveLeader: [MoveLeaderRequest, MoveLeaderResponse];
}

export type EtcdMethod = keyof EtcdMethods;

/** gRPC status codes etcd returns. */
export type GrpcCode = 'Unavailable' | 'DeadlineExceeded' | 'InvalidArgument' | 'FailedPrecondition' | 'ResourceExhausted' | 'OutOfRange' | 'Canceled' | 'Unknown';

/** An error status in place of a response. `message` is etcd's exact text, e.g. "etcdserver: request timed out". */
export interface EtcdError {
  readonly error: { readonly code: GrpcCode; readonly message: string };
}

/** What the server puts in an rpc response frame's body. */
export type EtcdReply<M extends EtcdMethod> = EtcdMethods[M][1] | EtcdError;

export function isEtcdError(body: unknown): body is EtcdError {
  return typeof body === 'object' && body !== null && 'error' in body;
}

/** etcd's error texts (server/etcdserver/errors.go, api/v3rpc/rpctypes). */
export const ETCD_ERRORS = {
  timeout: 'etcdserver: request timed out',
  timeoutDueToLeaderFail: 'etcdserver: request timed out, possibly due to previous leader failure',
  timeoutDueToConnectionLost: 'etcdserver: request timed out, possibly due to connection lost',
  leaderChanged: 'etcdserver: leader changed',
  noLeader: 'etcdserver: no leader',
  tooManyRequests: 'etcdserver: too many requests',
  stopped: 'etcdserver: server stopped',
  notCapable: 'etcdserver: not capable',
  compacted: 'etcdserver: mvcc: required revision has been compacted',
  futureRev: 'etcdserver: mvcc: required revision is a future revision',
  /** MoveLeader on a member that is not the leader (FailedPrecondition). */
  notLeader: 'etcdserver: not leader',
  /** MoveLeader to a non-member or learner (FailedPrecondition). */
  badLeaderTransferee: 'etcdserver: bad leader transferee',
  /** MoveLeader whose target did not become leader before the deadline (unmapped: code Unknown). */
  timeoutLeaderTransfer: 'etcdserver: request timed out, leader transfer took too long',
  /**
   * A context's deadline expired inside the server (a write blocked with no leader until the 7 s request timeout
   * or the client's deadline): gRPC status DeadlineExceeded with Go's context.DeadlineExceeded text.
   */
  deadlineExceeded: 'context deadline exceeded',
  /** raft.ErrProposalDropped (e.g. during a leader transfer), unmapped: code Unknown. */
  proposalDropped: 'raft proposal dropped',
} as const;
