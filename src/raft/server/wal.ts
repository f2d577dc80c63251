// The durable storage model: etcd's write-ahead log (server/storage/wal) as the host's disk holds it.
//
// etcd's raft loop calls storage.Save(hardState, entries) for every Ready: the records are written (write(2): they
// reach the kernel's page cache at once) and, when raft.MustSync says so (new entries, or a term/vote change), the
// file is fsynced before Save returns. Only fsynced data survives a power loss; written-but-unsynced data survives a
// killed process (the kernel still has it) but not a host crash. This module models exactly that:
//   - `written`: what a restarted process reads back if the host stayed up (page cache view);
//   - `synced`:  what is on stable storage (survives a host crash);
//   - an fsync takes simulated time (a latency draw) and makes everything written before it durable.
// The model lives in the host's disk map (ctx.disk), which outlives process incarnations.
//
// Simplifications: no snapshots, so the log is never compacted (etcd snapshots every 100000 entries, which a
// simulated run does not reach); no CRC/torn-write model (a record is all-or-nothing); the WAL is one record per
// Save. MVCC state (etcd's bbolt backend) is not stored: a restarted member replays the whole committed log into a
// fresh store, which yields the same revisions (etcd instead reopens bbolt and skips entries <= consistent index).
import type { Entry, HardState, RaftLogView } from '../types';
import { EMPTY_HARD_STATE } from '../types';

/** A log (entries from index 1, no compaction) with its hard state. */
export class LogState implements RaftLogView {
  hardState: HardState = EMPTY_HARD_STATE;
  readonly entries: Entry[] = [];
  private truncationCount = 0;

  lastIndex(): number {
    return this.entries.length;
  }

  term(index: number): number {
    return index >= 1 && index <= this.entries.length ? this.entries[index - 1]!.term : 0;
  }

  entry(index: number): Entry | undefined {
    return index >= 1 ? this.entries[index - 1] : undefined;
  }

  truncations(): number {
    return this.truncationCount;
  }

  /** Applies one Save: entries replace any suffix from their first index (conflict resolution), then the hard state. */
  apply(hardState: HardState | null, entries: readonly Entry[]): void {
    if (entries.length > 0) {
      const first = entries[0]!.index;
      if (first < 1 || first > this.entries.length + 1) {
        throw new Error(`WAL: appending entries from index ${first} to a log ending at ${this.entries.length} would leave a gap`);
      }
      if (first <= this.entries.length) {
        this.entries.length = first - 1;
        this.truncationCount++;
      }
      for (const e of entries) this.entries.push(e);
    }
    if (hardState !== null) this.hardState = hardState;
  }

  copyFrom(other: LogState): void {
    this.hardState = other.hardState;
    if (this.entries.length > other.entries.length) this.truncationCount++;
    this.entries.length = 0;
    for (const e of other.entries) this.entries.push(e);
  }
}

interface WalRecord {
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
}

/** WAL metadata, written when the member's data directory is created (etcd's wal.Create metadata record). */
export interface WalMetadata {
  readonly memberIdHex: string;
  readonly clusterIdHex: string;
}

/** The WAL file of one member, on its host's disk. */
export class WalFile {
  /** The page-cache view: every record written. */
  readonly written = new LogState();
  /** The stable-storage view: records covered by a completed fsync. */
  readonly synced = new LogState();
  /** Written records not yet covered by a completed fsync, oldest first. */
  private unsynced: WalRecord[] = [];
  /** Records covered by the fsync in progress (they become durable when it completes). */
  private syncing = 0;
  fsyncs = 0;
  bytesWritten = 0;

  constructor(readonly metadata: WalMetadata) {}

  /** write(2) of one Save's records: in the page cache now, durable only after a later fsync completes. */
  write(hardState: HardState | null, entries: readonly Entry[]): void {
    if (hardState === null && entries.length === 0) return;
    this.written.apply(hardState, entries);
    this.unsynced.push({ hardState, entries });
    this.bytesWritten += 32 + entries.length * 64;
  }

  /** An fsync starts: it will make every record written so far durable. */
  beginSync(): void {
    this.syncing = this.unsynced.length;
  }

  /** The fsync completed. */
  endSync(): void {
    const done = this.unsynced.splice(0, this.syncing);
    this.syncing = 0;
    for (const r of done) this.synced.apply(r.hardState, r.entries);
    this.fsyncs++;
  }

  get pendingRecords(): number {
    return this.unsynced.length;
  }

  /**
   * What a restarting process finds. After a host crash only synced data is left; after a process crash the page
   * cache still holds the written records (the kernel flushes them later), unless the model says otherwise.
   */
  recover(hostCrashed: boolean): void {
    this.syncing = 0;
    if (hostCrashed) {
      this.unsynced = [];
      this.written.copyFrom(this.synced);
      return;
    }
    // The kernel writes dirty pages back: what was written is now what is on disk.
    for (const r of this.unsynced) this.synced.apply(r.hardState, r.entries);
    this.unsynced = [];
  }
}

/** The disk key of a member's WAL: etcd keeps it in <data-dir>/member/wal. */
export function walKey(dataDir: string): string {
  return `${dataDir}/member/wal`;
}
