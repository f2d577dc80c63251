// client-go's LeaderElectionRecord (tools/leaderelection/resourcelock), its conversion to and from a Lease spec,
// and its serialised form — the "raw record" the elector compares to decide whether the lock changed.
//
// The raw record is json.Marshal(LeaderElectionRecord), whose times are metav1.Time: RFC 3339 with WHOLE SECONDS.
// The Lease stores MicroTime (6 fraction digits), but LeaseLock.Get converts it to metav1.Time before
// marshalling, so two renewals within the same wall-clock second of the writer produce identical raw records: a
// candidate that sees only such a change keeps its older observedTime. This file reproduces that exactly.
import { formatMicroTime, formatTime, parseTimeUs, type LeaseSpec } from '../apiserver/objects';

/** rl.LeaderElectionRecord. Times are the writer's wall clock in Unix µs; null is Go's zero time. */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTimeUs: number | null;
  renewTimeUs: number | null;
  leaderTransitions: number;
  /** coordination.k8s.io CoordinatedLeaseStrategy ("" unless coordinated leader election is used). */
  strategy: string;
  preferredHolder: string;
}

export function emptyRecord(): LeaderElectionRecord {
  return { holderIdentity: '', leaseDurationSeconds: 0, acquireTimeUs: null, renewTimeUs: null, leaderTransitions: 0, strategy: '', preferredHolder: '' };
}

/** rl.LeaseSpecToLeaderElectionRecord. */
export function leaseSpecToRecord(spec: LeaseSpec): LeaderElectionRecord {
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTimeUs: spec.acquireTime === undefined ? null : parseTimeUs(spec.acquireTime),
    renewTimeUs: spec.renewTime === undefined ? null : parseTimeUs(spec.renewTime),
    leaderTransitions: spec.leaseTransitions ?? 0,
    strategy: spec.strategy ?? '',
    preferredHolder: spec.preferredHolder ?? '',
  };
}

/**
 * rl.LeaderElectionRecordToLeaseSpec: holderIdentity is always present (an empty string after a release);
 * strategy and preferredHolder only when set. A zero time (which Go would serialise as null) is left out.
 */
export function recordToLeaseSpec(record: LeaderElectionRecord): LeaseSpec {
  const spec: LeaseSpec = {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds | 0,
  };
  if (record.acquireTimeUs !== null) spec.acquireTime = formatMicroTime(record.acquireTimeUs);
  if (record.renewTimeUs !== null) spec.renewTime = formatMicroTime(record.renewTimeUs);
  spec.leaseTransitions = record.leaderTransitions | 0;
  if (record.strategy !== '') spec.strategy = record.strategy;
  if (record.preferredHolder !== '') spec.preferredHolder = record.preferredHolder;
  return spec;
}

/** json.Marshal(record): field order and names of the Go struct; times as metav1.Time (seconds, or null). */
export function rawRecord(record: LeaderElectionRecord): string {
  return (
    `{"holderIdentity":${JSON.stringify(record.holderIdentity)},"leaseDurationSeconds":${record.leaseDurationSeconds}` +
    `,"acquireTime":${timeJson(record.acquireTimeUs)},"renewTime":${timeJson(record.renewTimeUs)}` +
    `,"leaderTransitions":${record.leaderTransitions},"strategy":${JSON.stringify(record.strategy)}` +
    `,"preferredHolder":${JSON.stringify(record.preferredHolder)}}`
  );
}

// Standbys serialise the same two times over and over (acquireTime for a whole term; renewTime until the next
// renewal): a small cache keyed by the whole second keeps the hot path free of Date objects.
const SECONDS_CACHE_SIZE = 8;
const cachedSeconds: number[] = [];
const cachedJson: string[] = [];
let cacheNext = 0;

function timeJson(us: number | null): string {
  if (us === null) return 'null';
  const seconds = Math.floor(us / 1_000_000);
  for (let i = 0; i < cachedSeconds.length; i++) if (cachedSeconds[i] === seconds) return cachedJson[i]!;
  const json = `"${formatTime(us)}"`;
  cachedSeconds[cacheNext] = seconds;
  cachedJson[cacheNext] = json;
  cacheNext = (cacheNext + 1) % SECONDS_CACHE_SIZE;
  return json;
}
