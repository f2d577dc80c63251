// The simulated etcd: Raft core (types, RawNode), safety checkers, MVCC store, etcd member process, etcdctl.
import './trace-events';

export * from './types';
export * from './etcd-api';
export { RawNode, type BootstrapPeer } from './rawnode';
export * from './checkers';
export { MvccStore, keyRange, prefixRangeEnd, MvccRangeError, type HeaderFn, type KeyRange, type StoreWatcher } from './mvcc/store';
export {
  ETCD_FLAG_DEFAULTS,
  DEFAULT_FSYNC_LATENCY,
  EtcdConfigError,
  parseEtcdArgs,
  parseInitialCluster,
  resolveEtcdConfig,
  type EtcdFlags,
  type EtcdMemberOptions,
  type EtcdServerBugs,
  type MemberSpec,
  type ResolvedEtcdConfig,
} from './server/config';
export { computeClusterId, computeMemberId, formatId } from './server/ids';
export { etcdProcessSpec, type EtcdProcessOptions, type EtcdProcessSpec } from './server/process';
export { EtcdClusterObserver, EtcdMemberHandle, type EtcdMemberStatus } from './server/observer';
export type { EtcdServer } from './server/etcd-server';
export { LogState, WalFile, walKey } from './server/wal';
export {
  etcdctlProcessSpec,
  runEtcdctl,
  parseEtcdctlArgs,
  ETCDCTL_DEFAULTS,
  type EtcdctlResult,
  type EtcdctlCommand,
  type EtcdctlInvocation,
} from './etcdctl/etcdctl';
export { renderTable } from './etcdctl/table';
export { humanizeBytes } from './etcdctl/humanize';
