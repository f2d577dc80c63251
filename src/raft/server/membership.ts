// The cluster membership a member has applied (server/etcdserver/api/membership RaftCluster): members join through
// the bootstrap ConfChange entries (with their name and peer URLs in the change's context) and publish their client
// URLs later through Raft (publishV3). The cluster version is set by the leader (monitorVersions).
import type { Member } from '../etcd-api';
import type { NodeId } from '../types';
import type { MemberSpec } from './config';
import type { MemberContext } from './requests';

export interface ClusterMember {
  readonly nodeId: NodeId;
  readonly idHex: string;
  /** Sort key: etcd lists members by their 64-bit ID. */
  readonly id: bigint;
  name: string;
  readonly peerUrls: readonly string[];
  clientUrls: readonly string[];
}

export class Membership {
  private readonly members = new Map<NodeId, ClusterMember>();
  private readonly specs = new Map<NodeId, MemberSpec>();
  clusterVersion: string | null = null;
  private cachedList: Member[] | null = null;

  constructor(specs: readonly MemberSpec[]) {
    for (const s of specs) this.specs.set(s.nodeId, s);
  }

  /** Applies a ConfChange add-node (idempotent: a restarted member replays its log). */
  addMember(nodeId: NodeId, context: MemberContext | null): void {
    if (this.members.has(nodeId)) return;
    const spec = this.specs.get(nodeId);
    const idHex = context?.idHex ?? spec?.idHex ?? nodeId.toString(16);
    this.members.set(nodeId, {
      nodeId,
      idHex,
      id: spec?.id ?? BigInt(nodeId),
      name: context?.name ?? spec?.name ?? '',
      peerUrls: context?.peerUrls ?? spec?.peerUrls ?? [],
      clientUrls: [],
    });
    this.cachedList = null;
  }

  removeMember(nodeId: NodeId): void {
    if (this.members.delete(nodeId)) this.cachedList = null;
  }

  /** Applies ClusterMemberAttrSet. */
  setAttributes(nodeId: NodeId, name: string, clientUrls: readonly string[]): void {
    const m = this.members.get(nodeId);
    if (m === undefined) return; // etcd ignores attributes of a removed member
    m.name = name;
    m.clientUrls = clientUrls;
    this.cachedList = null;
  }

  has(nodeId: NodeId): boolean {
    return this.members.has(nodeId);
  }

  member(nodeId: NodeId): ClusterMember | undefined {
    return this.members.get(nodeId);
  }

  get size(): number {
    return this.members.size;
  }

  /** Members sorted by ID, as the MemberList RPC returns them. */
  list(): readonly Member[] {
    if (this.cachedList === null) {
      this.cachedList = [...this.members.values()]
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((m) => ({ id: m.idHex, name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls, isLearner: false }));
    }
    return this.cachedList;
  }
}
