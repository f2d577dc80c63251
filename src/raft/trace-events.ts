// Trace kinds emitted by the simulated etcd members (src/raft/server). Timelines and reports read them; hot paths
// emit them only when a sink wants the kind (trace.wants).
import type { RaftRole } from './types';

declare module '../sim/trace' {
  interface TraceEventMap {
    /**
     * A member's Raft role, term or leader changed (emitted on changes only, after the Ready that shows it).
     * `lead` is the leader's member name, or '' when the member knows no leader.
     */
    'raft.role': { host: string; member: string; role: RaftRole; term: number; lead: string };
    /**
     * A member saw a new leader (etcd's "raft.node: <id> elected leader <id> at term <n>" / "lost leader"):
     * `lead` is '' when the leader was lost. `elected` is true when the member itself is the new leader.
     */
    'etcd.leader': { host: string; member: string; term: number; lead: string; previous: string; elected: boolean };
    /** The member published itself through Raft and serves clients ("ready to serve client requests"). */
    'etcd.ready': { host: string; member: string };
    /** A peer stream came up or went down (rafthttp "peer became active" / "peer became inactive"). */
    'etcd.peer': { host: string; member: string; peer: string; active: boolean };
    /** A client request finished: its method, outcome ('ok' or the error text) and time spent in the server. */
    'etcd.request': { host: string; member: string; method: string; outcome: string; tookUs: number };
    /** A WAL fsync completed: how long it took and how many entries it made durable. */
    'etcd.fsync': { host: string; member: string; tookUs: number; entries: number };
    /** The member applied committed entries up to `index` (emitted once per Ready with entries). */
    'etcd.apply': { host: string; member: string; index: number; revision: number };
  }
}

export {};
