// Watching etcd members from outside, across restarts. Each process incarnation is a new EtcdServer; every one of
// them registers with the cluster's observer, which keeps one stable handle per member. The observer is the Raft
// safety checkers' cluster view (src/raft/checkers RaftClusterView) and gives reports and tests each member's
// status, store and durable log.
import type { Invariant } from '../../sim/engine';
import { RaftSafetyChecker, type RaftSafetyOptions } from '../checkers/safety-checker';
import type { RaftClusterView, RaftMemberView } from '../checkers/view';
import type { MvccStore } from '../mvcc/store';
import { NONE, type Entry, type NodeId, type RaftLogView, type RaftRole, type RawNodeApi } from '../types';
import type { EtcdServer, EtcdServerObserver } from './etcd-server';
import { LogState, type WalFile } from './wal';

export interface EtcdMemberStatus {
  readonly name: string;
  readonly host: string;
  readonly idHex: string;
  /** The process is running (or paused). */
  readonly up: boolean;
  /** Published and serving clients. */
  readonly ready: boolean;
  readonly role: RaftRole | 'down';
  readonly term: number;
  /** The leader's member name as this member knows it ('' for none). */
  readonly lead: string;
  readonly commit: number;
  readonly applied: number;
  readonly revision: number;
  readonly lastIndex: number;
}

const EMPTY_LOG = new LogState();

export class EtcdMemberHandle implements RaftMemberView {
  /** The incarnation now running, or the last one (check `up`). */
  server: EtcdServer | null = null;
  wal: WalFile | null = null;
  /** Incarnations registered so far (starts of the process). */
  starts = 0;
  /** RaftMemberView.changes: moved by this member's raft loop (tick, step, Ready, fsync) and by each start. */
  changeCount = 0;

  constructor(
    readonly id: NodeId,
    readonly name: string,
    readonly idHex: string,
  ) {}

  /** The process of the last incarnation is alive (running or paused) and that incarnation is current. */
  get up(): boolean {
    const s = this.server;
    if (s === null) return false;
    const proc = s.ctx.process;
    return proc.alive && proc.incarnation === s.ctx.incarnation;
  }

  node(): RawNodeApi | null {
    return this.up ? this.server!.node : null;
  }

  changes(): number {
    return this.changeCount;
  }

  durableLog(): RaftLogView {
    return this.wal?.synced ?? EMPTY_LOG;
  }

  appliedIndex(): number {
    return this.up ? this.server!.appliedIndex : 0;
  }

  appliedEntry(index: number): Entry | undefined {
    return this.up ? this.server!.appliedEntries[index - 1] : undefined;
  }

  /** The live MVCC store, or null while down. */
  store(): MvccStore | null {
    return this.up ? this.server!.store : null;
  }

  status(): EtcdMemberStatus {
    const s = this.server;
    const host = s?.ctx.host.name ?? '';
    if (!this.up || s === null) {
      return { name: this.name, host, idHex: this.idHex, up: false, ready: false, role: 'down', term: 0, lead: '', commit: 0, applied: 0, revision: 0, lastIndex: 0 };
    }
    const st = s.node.status();
    return {
      name: this.name,
      host,
      idHex: this.idHex,
      up: true,
      ready: s.ready,
      role: st.role,
      term: st.term,
      lead: s.memberName(st.lead),
      commit: st.commit,
      applied: s.appliedIndex,
      revision: s.store.revision,
      lastIndex: st.lastIndex,
    };
  }
}

/**
 * Pass one observer to every member of a cluster (EtcdProcessOptions.observer). Its member list is the initial
 * cluster, filled in when the first member starts.
 */
export class EtcdClusterObserver implements RaftClusterView, EtcdServerObserver {
  readonly members: EtcdMemberHandle[] = [];
  private readonly byId = new Map<NodeId, EtcdMemberHandle>();
  private readonly byName = new Map<string, EtcdMemberHandle>();
  /** Called whenever some member's role, term or leader changed. */
  onRoleChange: ((member: EtcdMemberHandle) => void) | null = null;
  private changeCount = 0;

  /** RaftClusterView.changes: moved by every member's raft loop (tick, step, Ready, fsync) and by each start. */
  changes(): number {
    return this.changeCount;
  }

  attach(server: EtcdServer): () => void {
    if (this.members.length === 0) {
      for (const m of server.cfg.members) {
        const handle = new EtcdMemberHandle(m.nodeId, m.name, m.idHex);
        this.members.push(handle);
        this.byId.set(m.nodeId, handle);
        this.byName.set(m.name, handle);
      }
    }
    const handle = this.byId.get(server.self);
    if (handle === undefined) throw new Error(`etcd observer: member ${server.cfg.name} is not in the cluster the observer watches`);
    handle.server = server;
    handle.wal = server.wal;
    handle.starts++;
    handle.changeCount++;
    this.changeCount++;
    // Something the safety checkers look at may have changed on this member.
    return () => {
      handle.changeCount++;
      this.changeCount++;
    };
  }

  roleChanged(server: EtcdServer): void {
    const handle = this.byId.get(server.self);
    if (handle !== undefined) this.onRoleChange?.(handle);
  }

  member(name: string): EtcdMemberHandle {
    const m = this.byName.get(name);
    if (m === undefined) throw new Error(`etcd observer: no member named ${name} (members: ${this.members.map((x) => x.name).join(', ') || 'none yet'})`);
    return m;
  }

  memberById(id: NodeId): EtcdMemberHandle | undefined {
    return this.byId.get(id);
  }

  statuses(): EtcdMemberStatus[] {
    return this.members.map((m) => m.status());
  }

  /** Members up that are leaders (normally at most one per term; two in different terms is possible). */
  leaders(): EtcdMemberHandle[] {
    return this.members.filter((m) => m.node()?.status().role === 'leader');
  }

  /** The leader with the highest term, or null. */
  leader(): EtcdMemberHandle | null {
    let best: EtcdMemberHandle | null = null;
    let bestTerm = -1;
    for (const m of this.members) {
      const st = m.node()?.status();
      if (st === undefined || st.role !== 'leader' || st.lead === NONE) continue;
      if (st.term > bestTerm) {
        best = m;
        bestTerm = st.term;
      }
    }
    return best;
  }

  /** A Raft safety checker over this cluster; register `.invariant()` with the engine. */
  safetyChecker(options?: RaftSafetyOptions): RaftSafetyChecker {
    return new RaftSafetyChecker(this, options);
  }

  /** Shorthand: an engine invariant checking every Raft safety property. */
  safetyInvariant(options?: RaftSafetyOptions, name = 'raft-safety'): Invariant {
    return this.safetyChecker(options).invariant(name);
  }
}
