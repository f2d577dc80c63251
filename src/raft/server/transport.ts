// Peer transport: etcd's rafthttp, modelled as datagrams on the peer port (2380).
//
// rafthttp keeps two long-lived HTTP streams per peer and falls back to one POST per message (the pipeline) when
// no stream is up; either way a message that cannot be delivered is dropped and Raft retries. We send every Raft
// message as one datagram, which the network delays, loses or reorders per link, as etcd-io/raft's own test
// network does — but never duplicates: they are stream messages (TCP does not deliver twice; a duplicated
// forwarded proposal would be applied twice).
//
// What the server reads from rafthttp is peer *activity* (peerStatus.activate/deactivate, activeSince): it decides
// the startup tick fast-forward (ActivePeers), and whether a timed-out proposal says "possibly due to connection
// lost". We model a stream as up once a dial was answered or anything arrived from the peer, and down once nothing
// arrived for rafthttp.ConnReadTimeout (5 s) — idle streams carry a link heartbeat every ConnReadTimeout/3, as
// rafthttp's streamWriter does. Dials are retried every tick while a peer is down (rafthttp: every 100 ms).
// Simplification: a peer process that dies on a live host closes its streams at once in reality (EOF); here the
// stream goes down after the read timeout, as it does for a crashed host or a partition.
import type { ProcessContext } from '../../sim/process';
import type { Endpoint, Message } from '../../sim/network';
import type { NodeId, RaftMessage } from '../types';
import type { MemberSpec } from './config';

/** rafthttp.ConnReadTimeout. */
export const CONN_READ_TIMEOUT_US = 5_000_000;
/** rafthttp streamWriter: a link heartbeat when the stream has been idle this long (ConnReadTimeout / 3). */
export const LINK_HEARTBEAT_US = Math.floor(CONN_READ_TIMEOUT_US / 3);

/** Stream control traffic (not Raft messages). */
export interface StreamControl extends Message {
  readonly type: 'StreamDial' | 'StreamAccept' | 'LinkHeartbeat';
  readonly from: NodeId;
}

export type PeerDatagram = RaftMessage | StreamControl;

export interface PeerState {
  readonly spec: MemberSpec;
  active: boolean;
  /** Host monotonic time the stream came up (rafthttp activeSince); -1 while down. */
  activeSinceUs: number;
  lastRecvUs: number;
  lastSentUs: number;
}

export interface TransportHandlers {
  onRaftMessage(msg: RaftMessage): void;
  onPeerActive(peer: PeerState, active: boolean): void;
}

export class PeerTransport {
  readonly peers = new Map<NodeId, PeerState>();
  private readonly peerList: PeerState[] = [];
  private readonly dialMsg: StreamControl;
  private readonly acceptMsg: StreamControl;
  private readonly heartbeatMsg: StreamControl;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly self: MemberSpec,
    members: readonly MemberSpec[],
    listenPort: number,
    private readonly handlers: TransportHandlers,
  ) {
    for (const spec of members) {
      if (spec.nodeId === self.nodeId) continue;
      const peer: PeerState = { spec, active: false, activeSinceUs: -1, lastRecvUs: -1, lastSentUs: -1 };
      this.peers.set(spec.nodeId, peer);
      this.peerList.push(peer);
    }
    this.dialMsg = { type: 'StreamDial', from: self.nodeId };
    this.acceptMsg = { type: 'StreamAccept', from: self.nodeId };
    this.heartbeatMsg = { type: 'LinkHeartbeat', from: self.nodeId };
    ctx.listen(listenPort, { onDatagram: (msg: Message, from: Endpoint) => this.receive(msg as PeerDatagram, from) });
  }

  /** Sends a Raft message to its `to` member. Messages to unknown members are dropped (removed members). */
  send(msg: RaftMessage): void {
    const peer = this.peers.get(msg.to);
    if (peer === undefined) return;
    peer.lastSentUs = this.ctx.monoUs();
    this.ctx.send(peer.spec.peerAddress, peer.spec.peerPort, msg, 0, true);
  }

  /** Dials every peer whose stream is down (rafthttp streamReader at start and on retry). */
  dialInactive(): void {
    for (const peer of this.peerList) {
      if (!peer.active) this.ctx.send(peer.spec.peerAddress, peer.spec.peerPort, this.dialMsg, 0, true);
    }
  }

  /** Per tick: expire silent streams, keep idle ones alive, retry dials. Cost: a few comparisons per peer. */
  onTick(): void {
    const nowUs = this.ctx.monoUs();
    for (const peer of this.peerList) {
      if (peer.active) {
        if (nowUs - peer.lastRecvUs >= CONN_READ_TIMEOUT_US) {
          this.setActive(peer, false, nowUs);
        } else if (nowUs - peer.lastSentUs >= LINK_HEARTBEAT_US) {
          peer.lastSentUs = nowUs;
          this.ctx.send(peer.spec.peerAddress, peer.spec.peerPort, this.heartbeatMsg, 0, true);
        }
      }
      if (!peer.active) this.ctx.send(peer.spec.peerAddress, peer.spec.peerPort, this.dialMsg, 0, true);
    }
  }

  /** rafthttp Transport.ActivePeers. */
  activePeers(): number {
    let n = 0;
    for (const peer of this.peerList) if (peer.active) n++;
    return n;
  }

  /** rafthttp Transport.ActiveSince (host monotonic µs), -1 when the stream is down or the member unknown. */
  activeSinceUs(id: NodeId): number {
    return this.peers.get(id)?.activeSinceUs ?? -1;
  }

  private receive(msg: PeerDatagram, _from: Endpoint): void {
    const from = msg.from;
    const peer = this.peers.get(from);
    if (peer === undefined) return; // not a member: rafthttp rejects it
    const nowUs = this.ctx.monoUs();
    peer.lastRecvUs = nowUs;
    if (!peer.active) this.setActive(peer, true, nowUs);
    switch (msg.type) {
      case 'StreamDial':
        peer.lastSentUs = nowUs;
        this.ctx.send(peer.spec.peerAddress, peer.spec.peerPort, this.acceptMsg, 0, true);
        return;
      case 'StreamAccept':
      case 'LinkHeartbeat':
        return;
      default:
        this.handlers.onRaftMessage(msg);
    }
  }

  private setActive(peer: PeerState, active: boolean, nowUs: number): void {
    peer.active = active;
    peer.activeSinceUs = active ? nowUs : -1;
    this.handlers.onPeerActive(peer, active);
  }
}
