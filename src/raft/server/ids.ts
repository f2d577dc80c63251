// etcd member and cluster IDs, derived as etcd derives them at bootstrap (server/etcdserver/api/membership):
// - member ID = first 8 bytes (big-endian) of SHA-1(sorted peer URLs joined + --initial-cluster-token);
// - cluster ID = first 8 bytes of SHA-1(the sorted member IDs, each 8 bytes big-endian).
// etcd prints them with strconv.FormatUint(id, 16): lowercase hex without leading zeros (usually 16 digits).
//
// The Raft core needs only a distinct non-zero number per member (types.ts NodeId): we use the ID's top 53 bits,
// which keeps it a safe JavaScript integer and keeps the members' relative order.
import type { NodeId } from '../types';
import { sha1 } from './sha1';

const encoder = new TextEncoder();

function first8BytesBigEndian(digest: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(digest[i]!);
  return v;
}

/** membership.computeMemberId for a bootstrapping member (no timestamp). */
export function computeMemberId(peerUrls: readonly string[], clusterToken: string): bigint {
  const joined = [...peerUrls].sort().join('');
  return first8BytesBigEndian(sha1(encoder.encode(joined + clusterToken)));
}

/** RaftCluster.genID: hash of the sorted member IDs. */
export function computeClusterId(memberIds: readonly bigint[]): bigint {
  const sorted = [...memberIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bytes = new Uint8Array(8 * sorted.length);
  sorted.forEach((id, i) => {
    for (let b = 0; b < 8; b++) bytes[i * 8 + b] = Number((id >> BigInt(56 - 8 * b)) & 0xffn);
  });
  return first8BytesBigEndian(sha1(bytes));
}

/** As etcd prints an ID (types.ID.String): hex, no leading zeros. */
export function formatId(id: bigint): string {
  return id.toString(16);
}

/** The Raft core's number for a member: the ID's top 53 bits (never 0). */
export function raftNodeId(id: bigint): NodeId {
  const n = Number(id >> 11n);
  return n === 0 ? 1 : n;
}
