// What the etcd server puts in Raft entries (etcd's pb.InternalRaftRequest, kept as objects: entries travel by
// reference and nobody mutates them), and etcd's error statuses as the client API returns them.
import type { DeleteRangeRequest, EtcdError, GrpcCode, PutRequest, TxnRequest } from '../etcd-api';
import { ETCD_ERRORS } from '../etcd-api';
import type { NodeId } from '../types';

interface RequestBase {
  /** Unique per proposing member incarnation (etcd: idutil.Generator, seeded with the member ID and time). */
  readonly id: number;
  /** The member whose server waits for this entry's result (etcd's wait.Wait is local to the proposer). */
  readonly proposer: NodeId;
}

export type RaftRequest =
  | (RequestBase & { readonly kind: 'put'; readonly request: PutRequest })
  | (RequestBase & { readonly kind: 'delete-range'; readonly request: DeleteRangeRequest })
  | (RequestBase & { readonly kind: 'txn'; readonly request: TxnRequest })
  /** publishV3: the member's name and client URLs (ClusterMemberAttrSetRequest). */
  | (RequestBase & { readonly kind: 'member-attr-set'; readonly member: NodeId; readonly name: string; readonly clientUrls: readonly string[] })
  /** The leader's monitorVersions decision (ClusterVersionSetRequest). */
  | (RequestBase & { readonly kind: 'cluster-version-set'; readonly version: string });

export type RaftRequestKind = RaftRequest['kind'];

/** What a bootstrap ConfChange carries in its context: etcd puts the member's JSON there. */
export interface MemberContext {
  readonly idHex: string;
  readonly name: string;
  readonly peerUrls: readonly string[];
}

/** An error status as the server sends it. */
export function etcdError(code: GrpcCode, message: string): EtcdError {
  return { error: { code, message } };
}

/** api/v3rpc/rpctypes statuses, built once (errors are shared, never mutated). */
export const ERR = {
  timeout: etcdError('Unavailable', ETCD_ERRORS.timeout),
  timeoutDueToLeaderFail: etcdError('Unavailable', ETCD_ERRORS.timeoutDueToLeaderFail),
  timeoutDueToConnectionLost: etcdError('Unavailable', ETCD_ERRORS.timeoutDueToConnectionLost),
  leaderChanged: etcdError('Unavailable', ETCD_ERRORS.leaderChanged),
  noLeader: etcdError('Unavailable', ETCD_ERRORS.noLeader),
  notLeader: etcdError('FailedPrecondition', ETCD_ERRORS.notLeader),
  tooManyRequests: etcdError('ResourceExhausted', ETCD_ERRORS.tooManyRequests),
  stopped: etcdError('Unavailable', ETCD_ERRORS.stopped),
  futureRev: etcdError('OutOfRange', ETCD_ERRORS.futureRev),
  compacted: etcdError('OutOfRange', ETCD_ERRORS.compacted),
  /** The server's own context (ReqTimeout) or the client's deadline expired before the proposal got into Raft. */
  deadlineExceeded: etcdError('DeadlineExceeded', ETCD_ERRORS.deadlineExceeded),
  /** raft.ErrProposalDropped, unmapped by togRPCError: code Unknown. */
  proposalDropped: etcdError('Unknown', ETCD_ERRORS.proposalDropped),
  badLeaderTransferee: etcdError('FailedPrecondition', ETCD_ERRORS.badLeaderTransferee),
  leaderTransferTimeout: etcdError('Unavailable', ETCD_ERRORS.timeoutLeaderTransfer),
  unknownMethod: etcdError('Unknown', 'unknown method'),
} as const;
