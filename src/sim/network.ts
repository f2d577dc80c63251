// The simulated network: hosts by address, per-link latency/loss/duplication/reordering, partitions as data,
// datagrams (used for etcd peer traffic, as etcd-io/raft's test network does) and TCP-like connections
// (used for HTTP/2 and gRPC: client -> load balancer -> kube-apiserver -> etcd).
//
// Transport semantics, as the real kernel behaves (see docs/faithfulness.md):
// - Datagrams: each is delivered after a latency draw, or lost, duplicated or delayed extra (reordered) with the
//   link's probabilities. One sent on a cut path is lost; at arrival, a down host, a missing listener or a dead
//   process drop it. A paused process receives it when resumed (the kernel buffers it).
// - Connections: a three-way handshake (the client is open when the SYN-ACK arrives, the server accepts when the
//   client's ACK arrives), then data arrives in order. A lost segment, one sent on a cut path or to a down host,
//   or one that reached a host that crashed meanwhile (never acknowledged) is retransmitted after an RTO (200 ms
//   doubling to 120 s; reset when the retransmission gets through), holding back everything behind it; after 15
//   retransmissions of the same data the sender's socket fails with 'timeout' (ETIMEDOUT, 924.6 s). Connecting to
//   an up host with no listener gets 'refused' (RST); connecting to a down or unreachable host retries the SYN (1 s
//   doubling, 6 retries: 127 s) and then times out, unless the caller's own connect timeout fires first. When a
//   process dies on a live host its sockets send FIN after their queued data (the peer sees 'eof'); data arriving
//   later for a socket that no longer exists gets RST ('reset'), as does a connection to a floating address (VIP)
//   that has moved to another host. A crashed host sends nothing: peers notice only through their own timeouts, or
//   a RST once it has rebooted.
// Simplifications: segments already in flight when a cut starts still arrive (they are on the wire); no windows,
// congestion control or delayed ACKs (a segment that gets through is acknowledged); a FIN is not answered by the
// peer's own FIN (the receiving side closes at once: no half-closed connections); RSTs and handshake segments are
// not retransmitted (the client's SYN retransmission covers a lost SYN-ACK).
import type { Engine } from './engine';
import { Host, type HostOptions } from './host';
import { sampleLatencyUs, type LatencyDist } from './latency';
import type { Process } from './process';
import type { Random } from './rng';
import type { DropReason } from './trace';

export interface LinkModel {
  readonly latency: LatencyDist;
  /** Probability a datagram, or a segment's transmission, is lost. */
  readonly lossRate: number;
  /** Probability a datagram is delivered twice (the copy takes its own latency draw). */
  readonly duplicateRate: number;
  /** Probability a datagram is held back by an extra reorderDelay draw. */
  readonly reorderRate: number;
  readonly reorderDelay: LatencyDist;
}

/** A switched datacenter LAN: ~250 µs one way, no loss. */
export const DEFAULT_LINK: LinkModel = {
  latency: { kind: 'lognormal', medianUs: 250, sigma: 0.25, floorUs: 100 },
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderDelay: { kind: 'constant', us: 0 },
};

/** Traffic between two processes of one host. */
export const LOOPBACK_LINK: LinkModel = { ...DEFAULT_LINK, latency: { kind: 'constant', us: 20 } };

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** Anything sent on the network carries a discriminant, used in traces. */
export interface Message {
  readonly type: string;
}

export type CloseReason = 'refused' | 'reset' | 'timeout' | 'eof';

export interface ConnHandlers {
  /** Client side: the connection is established. */
  onOpen?(): void;
  onData(data: Message): void;
  /** The connection ended other than by this side's own close()/reset(). Called at most once. */
  onClose(reason: CloseReason): void;
}

export interface ListenHandlers {
  onDatagram?(msg: Message, from: Endpoint): void;
  /** A client connected; return the handlers for the new server-side socket. */
  onAccept?(socket: Socket): ConnHandlers;
}

export interface LinkSelector {
  /** Host name, or '*' for every host. */
  readonly from: string;
  readonly to: string;
}

export interface NetworkStats {
  datagramsSent: number;
  datagramsDelivered: number;
  datagramsDropped: number;
  duplicates: number;
  segmentsSent: number;
  segmentsDelivered: number;
  retransmissions: number;
  connectionsOpened: number;
}

interface Listener {
  readonly process: Process;
  readonly incarnation: number;
  readonly handlers: ListenHandlers;
}

interface LinkState {
  readonly model: LinkModel;
  readonly rng: Random;
}

interface Datagram {
  readonly id: number;
  readonly from: Host;
  readonly fromPort: number;
  readonly to: Host;
  readonly port: number;
  readonly msg: Message;
}

const RTO_MIN_US = 200_000;
const RTO_MAX_US = 120_000_000;
const DATA_RETRIES_MAX = 15; // Linux tcp_retries2
const SYN_RTO_US = 1_000_000;
const SYN_RETRIES_MAX = 6; // Linux tcp_syn_retries
const EPHEMERAL_PORT_FIRST = 32768;

/** One segment of a connection's outgoing direction; `from` is the sending socket (its peer receives it). */
type Segment =
  | { readonly kind: 'data'; readonly from: Socket; readonly seq: number; readonly msg: Message; readonly id: number }
  | { readonly kind: 'fin'; readonly from: Socket; readonly seq: number }
  /** The last step of the handshake: the server accepts the connection when it arrives. */
  | { readonly kind: 'ack'; readonly from: Socket; readonly seq: number };

/** One side of a connection, owned by one process incarnation. */
export class Socket {
  state: 'connecting' | 'open' | 'closed' = 'connecting';
  handlers: ConnHandlers | null = null;
  peer: Socket | null = null;
  /** Outgoing direction: segments waiting for retransmission, oldest first. */
  stalled: Segment[] = [];
  retransmitTimer: ReturnType<Engine['schedule']> | null = null;
  rtoUs = RTO_MIN_US;
  retries = 0;
  nextSeq = 0;
  lastArrivalUs = 0;
  synRetries = 0;
  connectTimer: ReturnType<Engine['schedule']> | null = null;
  /** Server side, until the handshake completes: the listener's accept callback. */
  acceptHandler: ((socket: Socket) => ConnHandlers) | null = null;
  /** Client side: connected to a floating address (VIP), so each segment goes to whoever holds it now. */
  floating = false;
  /** The host crashed: the kernel state of this socket is gone (no retransmission, no RST, nothing). */
  kernelGone = false;
  /**
   * TCP_USER_TIMEOUT (Linux, 0 = off as by default): the connection fails with 'timeout' once data has stayed
   * unacknowledged this long, instead of after tcp_retries2 retransmissions. grpc-go sets it to the keepalive
   * timeout whenever keepalive is on. Set it right after connect().
   */
  userTimeoutUs = 0;
  /** Engine time the oldest unacknowledged segment in `stalled` was first sent; -1 when none. */
  stalledSinceUs = -1;

  constructor(
    readonly network: Network,
    readonly connId: number,
    readonly host: Host,
    readonly process: Process,
    readonly incarnation: number,
    readonly local: Endpoint,
    readonly remote: Endpoint,
    readonly isClient: boolean,
  ) {}

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Queues data to the peer; returns false (and sends nothing) if the socket is not open. */
  send<M extends Message>(msg: M): boolean {
    if (this.state !== 'open') return false;
    this.network.sendSegment(this, { kind: 'data', from: this, seq: this.nextSeq++, msg, id: this.network.nextMessageId() });
    return true;
  }

  /** Graceful close (FIN after the queued data). No callback fires on this side afterwards. */
  close(): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.network.closeSocket(this);
    if (wasOpen) this.network.sendSegment(this, { kind: 'fin', from: this, seq: this.nextSeq++ }, true);
  }

  /** Abortive close (RST at once, behind what is already on the wire; queued data is discarded). No callback fires on this side afterwards. */
  reset(): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.stalled = [];
    this.stalledSinceUs = -1;
    this.network.closeSocket(this);
    if (wasOpen && this.peer) this.network.sendReset(this.host, this.peer, 'reset', this.lastArrivalUs);
  }
}

export class Network {
  readonly hosts: Host[] = [];
  readonly stats: NetworkStats = {
    datagramsSent: 0,
    datagramsDelivered: 0,
    datagramsDropped: 0,
    duplicates: 0,
    segmentsSent: 0,
    segmentsDelivered: 0,
    retransmissions: 0,
    connectionsOpened: 0,
  };
  private readonly hostsByName = new Map<string, Host>();
  private readonly hostsByAddress = new Map<string, Host>();
  private readonly listeners = new Map<number, Listener>();
  private readonly socketsByProcess = new Map<Process, Set<Socket>>();
  private readonly ephemeralPorts = new Map<Host, number>();
  private readonly linkOverrides: Array<{ selector: LinkSelector; patch: Partial<LinkModel> }> = [];
  private links: Array<Array<LinkState | undefined>> = [];
  private readonly cuts = new Set<number>();
  private messageIds = 0;
  private connIds = 0;
  defaultLink: LinkModel = DEFAULT_LINK;
  loopbackLink: LinkModel = LOOPBACK_LINK;

  constructor(readonly engine: Engine) {}

  // ---------------------------------------------------------------- hosts and addresses

  addHost(name: string, options: HostOptions): Host {
    if (this.hostsByName.has(name)) throw new Error(`duplicate host name ${name}`);
    if (this.hostsByAddress.has(options.address)) throw new Error(`address ${options.address} of ${name} is already used by ${this.hostsByAddress.get(options.address)!.name}`);
    const host = new Host(name, options.address, this.hosts.length, this.engine, this, options.clock);
    this.hosts.push(host);
    this.hostsByName.set(name, host);
    this.hostsByAddress.set(options.address, host);
    return host;
  }

  host(name: string): Host {
    const host = this.hostsByName.get(name);
    if (host === undefined) throw new Error(`no host named ${name} (hosts: ${this.hosts.map((h) => h.name).join(', ')})`);
    return host;
  }

  findHost(name: string): Host | undefined {
    return this.hostsByName.get(name);
  }

  /** The host currently answering for an address (its own, or a floating VIP it holds). */
  resolve(address: string): Host | undefined {
    return this.hostsByAddress.get(address);
  }

  /** Moves a floating address (a keepalived VIP) to `host`, or unassigns it with null. */
  assignAddress(address: string, host: Host | null): void {
    const current = this.hostsByAddress.get(address);
    if (current && current.address === address) throw new Error(`${address} is the fixed address of ${current.name}`);
    if (host === null) this.hostsByAddress.delete(address);
    else this.hostsByAddress.set(address, host);
  }

  nextMessageId(): number {
    return ++this.messageIds;
  }

  // ---------------------------------------------------------------- link models and partitions

  /** Overrides link parameters for matching (from, to) host pairs; later overrides win. */
  setLink(selector: LinkSelector, patch: Partial<LinkModel>): void {
    this.linkOverrides.push({ selector, patch });
    this.links = [];
  }

  /** Removes every override matching exactly this selector (or all of them with no selector). */
  clearLinks(selector?: LinkSelector): void {
    for (let i = this.linkOverrides.length - 1; i >= 0; i--) {
      const s = this.linkOverrides[i]!.selector;
      if (!selector || (s.from === selector.from && s.to === selector.to)) this.linkOverrides.splice(i, 1);
    }
    this.links = [];
  }

  link(from: Host, to: Host): LinkState {
    let row = this.links[from.index];
    if (row === undefined) {
      row = [];
      this.links[from.index] = row;
    }
    let state = row[to.index];
    if (state === undefined) {
      let model: LinkModel = from === to ? this.loopbackLink : this.defaultLink;
      for (const { selector, patch } of this.linkOverrides) {
        if ((selector.from === '*' || selector.from === from.name) && (selector.to === '*' || selector.to === to.name)) {
          model = { ...model, ...patch };
        }
      }
      state = { model, rng: this.engine.rng.stream(`net/${from.name}>${to.name}`) };
      row[to.index] = state;
    }
    return state;
  }

  /** Cuts traffic from `from` to `to` (one way). */
  cut(from: Host, to: Host): void {
    if (from !== to) this.cuts.add(from.index * 65536 + to.index);
  }

  /** Hosts in different groups cannot reach each other (both ways). Hosts in no group are unaffected. */
  partition(groups: ReadonlyArray<readonly Host[]>): void {
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i]!) for (const b of groups[j]!) this.cut(a, b);
      }
    }
  }

  /** Cuts a host off from every other host, both ways. */
  isolate(host: Host): void {
    for (const other of this.hosts) {
      this.cut(host, other);
      this.cut(other, host);
    }
  }

  /** Removes every cut, or only those touching `host`. */
  heal(host?: Host): void {
    if (host === undefined) {
      this.cuts.clear();
      return;
    }
    for (const key of [...this.cuts]) {
      const from = Math.floor(key / 65536);
      const to = key % 65536;
      if (from === host.index || to === host.index) this.cuts.delete(key);
    }
  }

  isCut(from: Host, to: Host): boolean {
    return this.cuts.size !== 0 && this.cuts.has(from.index * 65536 + to.index);
  }

  /** Directed cuts now in force, as [from, to] host names. */
  cutPairs(): Array<[string, string]> {
    return [...this.cuts].sort((a, b) => a - b).map((key) => [this.hosts[Math.floor(key / 65536)]!.name, this.hosts[key % 65536]!.name]);
  }

  private pathOpen(from: Host, to: Host): boolean {
    return to.up && from.up && (this.cuts.size === 0 || !this.cuts.has(from.index * 65536 + to.index));
  }

  // ---------------------------------------------------------------- listeners

  listen(process: Process, incarnation: number, port: number, handlers: ListenHandlers): void {
    const key = process.host.index * 65536 + port;
    const existing = this.listeners.get(key);
    if (existing && existing.process.incarnation === existing.incarnation && existing.process.alive) {
      throw new Error(`${process.id}: listen tcp ${process.host.address}:${port}: bind: address already in use (by ${existing.process.id})`);
    }
    this.listeners.set(key, { process, incarnation, handlers });
  }

  unlisten(host: Host, port: number): void {
    this.listeners.delete(host.index * 65536 + port);
  }

  private liveListener(host: Host, port: number): Listener | undefined {
    const listener = this.listeners.get(host.index * 65536 + port);
    if (listener === undefined) return undefined;
    if (listener.process.incarnation !== listener.incarnation) {
      this.listeners.delete(host.index * 65536 + port);
      return undefined;
    }
    return listener;
  }

  // ---------------------------------------------------------------- datagrams

  /** Sends a datagram; a `stream` message is never duplicated (see ProcessContext.send). */
  sendDatagram(from: Host, fromPort: number, toAddress: string, port: number, msg: Message, stream = false): void {
    const id = ++this.messageIds;
    this.stats.datagramsSent++;
    const trace = this.engine.trace;
    const to = this.hostsByAddress.get(toAddress);
    if (trace.wants('msg.send')) trace.emit('msg.send', { id, from: from.name, to: to ? to.name : toAddress, type: msg.type });
    if (to === undefined || !from.up) {
      this.dropDatagram(id, from.name, toAddress, msg, 'host-down');
      return;
    }
    if (!to.up) {
      // Nothing answers for a powered-off host: dropped now rather than at arrival (no event for it).
      this.dropDatagram(id, from.name, to.name, msg, 'host-down');
      return;
    }
    if (this.cuts.size !== 0 && this.cuts.has(from.index * 65536 + to.index)) {
      this.dropDatagram(id, from.name, to.name, msg, 'partition');
      return;
    }
    const link = this.link(from, to);
    const model = link.model;
    if (model.lossRate > 0 && link.rng.chance(model.lossRate)) {
      this.dropDatagram(id, from.name, to.name, msg, 'loss');
      return;
    }
    const datagram: Datagram = { id, from, fromPort, to, port, msg };
    this.engine.schedule(this.datagramDelayUs(link), this.deliverDatagram, datagram);
    if (!stream && model.duplicateRate > 0 && link.rng.chance(model.duplicateRate)) {
      this.stats.duplicates++;
      this.engine.schedule(this.datagramDelayUs(link), this.deliverDatagram, datagram);
    }
  }

  private datagramDelayUs(link: LinkState): number {
    const model = link.model;
    let delayUs = sampleLatencyUs(model.latency, link.rng);
    if (model.reorderRate > 0 && link.rng.chance(model.reorderRate)) delayUs += sampleLatencyUs(model.reorderDelay, link.rng);
    return delayUs;
  }

  private readonly deliverDatagram = (arg: unknown): void => {
    const d = arg as Datagram;
    if (!d.to.up) {
      this.dropDatagram(d.id, d.from.name, d.to.name, d.msg, 'host-down');
      return;
    }
    const listener = this.liveListener(d.to, d.port);
    if (listener === undefined || listener.handlers.onDatagram === undefined || !listener.process.alive) {
      this.dropDatagram(d.id, d.from.name, d.to.name, d.msg, 'no-listener');
      return;
    }
    this.stats.datagramsDelivered++;
    const trace = this.engine.trace;
    if (trace.wants('msg.deliver')) trace.emit('msg.deliver', { id: d.id, from: d.from.name, to: d.to.name, type: d.msg.type });
    const handler = listener.handlers.onDatagram;
    const fromEndpoint: Endpoint = { address: d.from.address, port: d.fromPort };
    if (listener.process.runsNow(listener.incarnation)) handler(d.msg, fromEndpoint);
    else listener.process.invoke(listener.incarnation, () => handler(d.msg, fromEndpoint));
  };

  private dropDatagram(id: number, from: string, to: string, msg: Message, reason: DropReason): void {
    this.stats.datagramsDropped++;
    const trace = this.engine.trace;
    if (trace.wants('msg.drop')) trace.emit('msg.drop', { id, from, to, type: msg.type, reason });
  }

  // ---------------------------------------------------------------- connections

  /**
   * Opens a connection from `process` to address:port. Handlers run in the caller's incarnation. With
   * `connectTimeoutUs`, an unanswered attempt fails with 'timeout' then (Go's net.Dialer Timeout). A stale
   * incarnation gets a socket that is already closed and sends nothing.
   */
  connect(process: Process, incarnation: number, toAddress: string, port: number, handlers: ConnHandlers, connectTimeoutUs?: number): Socket {
    const host = process.host;
    const local: Endpoint = { address: host.address, port: this.allocatePort(host) };
    const socket = new Socket(this, ++this.connIds, host, process, incarnation, local, { address: toAddress, port }, true);
    socket.handlers = handlers;
    if (process.incarnation !== incarnation || !process.alive || !host.up) {
      socket.state = 'closed';
      return socket;
    }
    this.track(socket);
    this.trySyn(socket);
    if (connectTimeoutUs !== undefined) {
      socket.connectTimer = this.engine.schedule(connectTimeoutUs, () => {
        socket.connectTimer = null;
        if (socket.state === 'connecting') this.fail(socket, 'timeout');
      });
    }
    return socket;
  }

  private allocatePort(host: Host): number {
    const next = this.ephemeralPorts.get(host) ?? EPHEMERAL_PORT_FIRST;
    this.ephemeralPorts.set(host, next >= 60999 ? EPHEMERAL_PORT_FIRST : next + 1);
    return next;
  }

  private track(socket: Socket): void {
    let set = this.socketsByProcess.get(socket.process);
    if (set === undefined) {
      set = new Set();
      this.socketsByProcess.set(socket.process, set);
    }
    set.add(socket);
  }

  private trySyn(socket: Socket): void {
    if (socket.state !== 'connecting') return;
    const to = this.hostsByAddress.get(socket.remote.address);
    if (to !== undefined && this.pathOpen(socket.host, to)) {
      const link = this.link(socket.host, to);
      if (!(link.model.lossRate > 0 && link.rng.chance(link.model.lossRate))) {
        this.engine.schedule(sampleLatencyUs(link.model.latency, link.rng), () => this.synArrived(socket, to));
      }
    }
    // The SYN is retransmitted until answered (1 s, 2 s, 4 s ...), then the attempt times out.
    const rtoUs = SYN_RTO_US * 2 ** socket.synRetries;
    socket.retransmitTimer = this.engine.schedule(rtoUs, () => {
      socket.retransmitTimer = null;
      if (socket.state !== 'connecting') return;
      if (socket.synRetries >= SYN_RETRIES_MAX) {
        this.fail(socket, 'timeout');
        return;
      }
      socket.synRetries++;
      this.trySyn(socket);
    });
  }

  private synArrived(client: Socket, to: Host): void {
    if (client.state !== 'connecting' || !to.up) return;
    const halfOpen = client.peer;
    if (halfOpen !== null) {
      if (halfOpen.host === to && halfOpen.state === 'connecting') {
        // A retransmitted SYN for a connection this server already answered: answer again.
        this.sendSynAck(client, halfOpen);
        return;
      }
      // That half-open socket is gone, or the address moved: this SYN is a fresh attempt.
      halfOpen.state = 'closed';
      client.peer = null;
    }
    const listener = this.liveListener(to, client.remote.port);
    if (listener === undefined || listener.handlers.onAccept === undefined || !listener.process.alive) {
      this.sendReset(to, client, 'refused');
      return;
    }
    const server = new Socket(this, client.connId, to, listener.process, listener.incarnation, client.remote, client.local, false);
    server.acceptHandler = listener.handlers.onAccept;
    server.peer = client;
    client.peer = server;
    client.floating = client.remote.address !== to.address;
    this.track(server);
    this.sendSynAck(client, server);
  }

  private sendSynAck(client: Socket, server: Socket): void {
    const from = server.host;
    if (!this.pathOpen(from, client.host)) return; // lost: the client's SYN retransmission asks again
    const link = this.link(from, client.host);
    if (link.model.lossRate > 0 && link.rng.chance(link.model.lossRate)) return;
    const arrivalUs = Math.max(this.engine.nowUs + sampleLatencyUs(link.model.latency, link.rng), server.lastArrivalUs);
    server.lastArrivalUs = arrivalUs;
    this.engine.scheduleAt(arrivalUs, () => this.synAckArrived(client, server));
  }

  private synAckArrived(client: Socket, server: Socket): void {
    if (client.peer !== server || client.kernelGone) return;
    if (client.state === 'closed') {
      // The caller gave up meanwhile (connect timeout, close, its process died): the kernel answers with RST.
      this.sendReset(client.host, server);
      return;
    }
    if (client.state === 'open') return; // a duplicate answer to a retransmitted SYN
    client.state = 'open';
    this.engine.cancel(client.retransmitTimer);
    client.retransmitTimer = null;
    this.engine.cancel(client.connectTimer);
    client.connectTimer = null;
    client.rtoUs = RTO_MIN_US;
    const trace = this.engine.trace;
    if (trace.wants('conn.state')) {
      trace.emit('conn.state', { conn: client.connId, from: client.host.name, to: server.host.name, state: 'open' });
    }
    // The ACK goes first in the client's outgoing stream, so whatever onOpen sends arrives after the accept.
    this.sendSegment(client, { kind: 'ack', from: client, seq: client.nextSeq++ });
    const onOpen = client.handlers?.onOpen;
    if (onOpen) client.process.invoke(client.incarnation, onOpen);
  }

  /** Sends a segment on the socket's outgoing direction, in order, retransmitting as TCP would. */
  sendSegment(socket: Socket, segment: Segment, evenIfClosed = false): void {
    if (socket.state !== 'open' && !evenIfClosed) return;
    this.stats.segmentsSent++;
    if (segment.kind === 'data') {
      const trace = this.engine.trace;
      if (trace.wants('msg.send')) {
        trace.emit('msg.send', { id: segment.id, from: socket.host.name, to: socket.peer?.host.name ?? socket.remote.address, type: segment.msg.type });
      }
    }
    if (socket.stalled.length !== 0) {
      socket.stalled.push(segment);
      return;
    }
    if (!this.transmit(socket, segment)) {
      socket.stalled.push(segment);
      socket.stalledSinceUs = this.engine.nowUs;
      this.armRetransmit(socket);
    }
  }

  /** One transmission attempt; false if it did not get through (cut, down host, loss). */
  private transmit(socket: Socket, segment: Segment): boolean {
    const peer = socket.peer;
    if (peer === null) return true; // never connected: nothing to carry it
    const to = peer.host;
    if (socket.floating) {
      const holder = this.hostsByAddress.get(socket.remote.address);
      if (holder !== to) return this.transmitToStranger(socket, holder);
    }
    if (!this.pathOpen(socket.host, to)) return false;
    const link = this.link(socket.host, to);
    if (link.model.lossRate > 0 && link.rng.chance(link.model.lossRate)) return false;
    const arrivalUs = Math.max(this.engine.nowUs + sampleLatencyUs(link.model.latency, link.rng), socket.lastArrivalUs);
    socket.lastArrivalUs = arrivalUs;
    this.engine.scheduleAt(arrivalUs, this.segmentArrived, segment);
    return true;
  }

  /** A segment of a connection to a floating address now held by another host: that host answers with RST. */
  private transmitToStranger(socket: Socket, holder: Host | undefined): boolean {
    if (holder === undefined || !this.pathOpen(socket.host, holder)) return false;
    const link = this.link(socket.host, holder);
    if (link.model.lossRate > 0 && link.rng.chance(link.model.lossRate)) return false;
    this.engine.schedule(sampleLatencyUs(link.model.latency, link.rng), () => {
      if (holder.up) this.sendReset(holder, socket);
    });
    return true;
  }

  private armRetransmit(socket: Socket): void {
    if (socket.retransmitTimer !== null) return;
    if (socket.stalledSinceUs < 0) socket.stalledSinceUs = this.engine.nowUs;
    // With TCP_USER_TIMEOUT the kernel gives up at that deadline even between two retransmissions.
    const userDeadlineUs = socket.userTimeoutUs > 0 ? socket.stalledSinceUs + socket.userTimeoutUs : Number.POSITIVE_INFINITY;
    const delayUs = Math.max(0, Math.min(socket.rtoUs, userDeadlineUs - this.engine.nowUs));
    socket.retransmitTimer = this.engine.schedule(delayUs, () => {
      socket.retransmitTimer = null;
      if (socket.kernelGone) return;
      this.stats.retransmissions++;
      const stalled = socket.stalled;
      let sent = 0;
      while (sent < stalled.length && this.transmit(socket, stalled[sent]!)) sent++;
      if (sent > 0) {
        // Progress: the oldest data was acknowledged, so the backoff starts over.
        stalled.splice(0, sent);
        socket.rtoUs = RTO_MIN_US;
        socket.retries = 0;
        socket.stalledSinceUs = stalled.length !== 0 ? this.engine.nowUs : -1;
        if (stalled.length !== 0) this.armRetransmit(socket);
        return;
      }
      socket.retries++;
      if (socket.userTimeoutUs > 0 && this.engine.nowUs >= userDeadlineUs) {
        socket.stalled = [];
        socket.stalledSinceUs = -1;
        if (socket.state === 'open') this.fail(socket, 'timeout');
        return;
      }
      if (socket.retries > DATA_RETRIES_MAX) {
        socket.stalled = [];
        socket.stalledSinceUs = -1;
        if (socket.state === 'open') this.fail(socket, 'timeout');
        return;
      }
      socket.rtoUs = Math.min(socket.rtoUs * 2, RTO_MAX_US);
      this.armRetransmit(socket);
    });
  }

  /** A segment that reached a crashed host was never acknowledged: back into the sender's queue, in order. */
  private requeue(segment: Segment): void {
    const sender = segment.from;
    if (sender.kernelGone || !sender.host.up) return;
    const stalled = sender.stalled;
    let index = stalled.length;
    while (index > 0 && stalled[index - 1]!.seq > segment.seq) index--;
    stalled.splice(index, 0, segment);
    this.armRetransmit(sender);
  }

  private readonly segmentArrived = (arg: unknown): void => {
    const segment = arg as Segment;
    const sender = segment.from;
    const receiver = sender.peer!;
    if (!receiver.host.up) {
      this.requeue(segment); // the host died while this was on the wire
      return;
    }
    if (receiver.state === 'closed' || receiver.process.incarnation !== receiver.incarnation) {
      // A segment for a socket that no longer exists: the kernel answers with RST.
      if (segment.kind !== 'fin') this.sendReset(receiver.host, sender);
      return;
    }
    this.stats.segmentsDelivered++;
    switch (segment.kind) {
      case 'ack':
        this.accept(receiver);
        return;
      case 'fin':
        this.closeSocket(receiver);
        this.notifyClose(receiver, 'eof');
        return;
      case 'data': {
        if (receiver.state !== 'open') throw new Error(`network: data on connection ${receiver.connId} before its handshake completed`);
        const trace = this.engine.trace;
        if (trace.wants('msg.deliver')) trace.emit('msg.deliver', { id: segment.id, from: sender.host.name, to: receiver.host.name, type: segment.msg.type });
        const msg = segment.msg;
        if (receiver.process.runsNow(receiver.incarnation)) receiver.handlers?.onData(msg);
        else {
          receiver.process.invoke(receiver.incarnation, () => {
            if (receiver.state === 'open') receiver.handlers?.onData(msg);
          });
        }
        return;
      }
    }
  };

  /** The handshake completed on the server: the listening process accepts the connection. */
  private accept(server: Socket): void {
    const onAccept = server.acceptHandler;
    if (server.state !== 'connecting' || onAccept === null) return;
    server.acceptHandler = null;
    server.state = 'open';
    this.stats.connectionsOpened++;
    server.process.invoke(server.incarnation, () => {
      if (server.state === 'closed') return;
      server.handlers = onAccept(server);
    });
  }

  /**
   * RST from `fromHost` to `target` (refused connect, a segment for a socket that no longer exists, abortive
   * close), arriving no earlier than `notBeforeUs` (behind the data the aborting side already sent).
   */
  sendReset(fromHost: Host, target: Socket, reason: CloseReason = 'reset', notBeforeUs = 0): void {
    if (!this.pathOpen(fromHost, target.host)) return;
    const link = this.link(fromHost, target.host);
    const arrivalUs = Math.max(this.engine.nowUs + sampleLatencyUs(link.model.latency, link.rng), notBeforeUs);
    this.engine.scheduleAt(arrivalUs, () => {
      if (target.state === 'closed' || target.kernelGone) return;
      this.fail(target, reason);
    });
  }

  private fail(socket: Socket, reason: CloseReason): void {
    if (socket.state === 'closed') return;
    this.closeSocket(socket);
    this.notifyClose(socket, reason);
  }

  private notifyClose(socket: Socket, reason: CloseReason): void {
    if (socket.acceptHandler !== null) return; // a half-open server socket: no process ever saw it
    const trace = this.engine.trace;
    if (trace.wants('conn.state')) {
      const state = reason === 'eof' ? 'closed' : reason;
      trace.emit('conn.state', { conn: socket.connId, from: socket.host.name, to: socket.peer?.host.name ?? socket.remote.address, state });
    }
    const onClose = socket.handlers?.onClose;
    if (onClose) socket.process.invoke(socket.incarnation, () => onClose(reason));
  }

  /** Marks a socket closed and releases its timers (the kernel still retransmits data and FIN queued before). */
  closeSocket(socket: Socket): void {
    socket.state = 'closed';
    this.engine.cancel(socket.connectTimer);
    socket.connectTimer = null;
    if (socket.stalled.length === 0 || socket.peer === null) {
      this.engine.cancel(socket.retransmitTimer);
      socket.retransmitTimer = null;
    }
    this.socketsByProcess.get(socket.process)?.delete(socket);
  }

  // ---------------------------------------------------------------- process and host lifecycle

  /** Called when a process dies: its listeners go; on a live host its sockets send FIN (the kernel closes them). */
  processDied(process: Process): void {
    const sockets = this.socketsByProcess.get(process);
    if (sockets === undefined) return;
    this.socketsByProcess.delete(process);
    const hostCrashed = process.lastExit?.kind === 'host-crash' || !process.host.up;
    for (const socket of sockets) {
      const wasOpen = socket.state === 'open';
      socket.state = 'closed';
      this.engine.cancel(socket.connectTimer);
      socket.connectTimer = null;
      if (hostCrashed) {
        socket.kernelGone = true;
        this.engine.cancel(socket.retransmitTimer);
        socket.retransmitTimer = null;
        socket.stalled = [];
        continue;
      }
      if (wasOpen) this.sendSegment(socket, { kind: 'fin', from: socket, seq: socket.nextSeq++ }, true);
    }
  }
}
