// etcd's MVCC key-value store (server/mvcc), as a pure data structure: one global revision bumped by every
// write transaction, per-key create/mod revision and version, Range (latest or at a past revision, with range end,
// limit, count-only and keys-only), Put, DeleteRange, Txn (compare mod/create/version/value, then/else) and the
// change history that watches replay from a revision.
//
// Faithful points (server/mvcc/kvstore_txn.go, server/etcdserver/apply.go):
// - the store starts at revision 1; a write txn that changes nothing (a delete matching no key, a txn of reads)
//   does not bump it; all writes of one txn share one main revision;
// - a range inside a write txn sees that txn's earlier writes;
// - a compare on a missing key sees zeros (create/mod/version 0); a value compare on a missing key fails;
// - a delete leaves a tombstone: the key's next put starts a new life (create_revision = that revision, version 1).
// Simplifications (documented in docs/faithfulness.md):
// - no compaction: the whole history is kept (etcd's apiserver compacts every 5 minutes; simulated runs are short);
//   reads at any past revision >= 1 succeed;
// - no leases and no sub-revision numbers in KeyValue (etcd exposes only main revisions there too);
// - keys compare as JavaScript strings, which is byte order for ASCII keys.
import type {
  Compare,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseHeader,
  ResponseOp,
  TxnRequest,
  TxnResponse,
  WatchEvent,
} from '../etcd-api';
import { SortedKeys } from './sorted-keys';

/** Builds a response header for a store revision (the server adds cluster/member IDs and the raft term). */
export type HeaderFn = (revision: number) => ResponseHeader;

/** A key range: [start, end), end null for "every key >= start", single for one key. */
export interface KeyRange {
  readonly start: string;
  /** Exclusive end; null when unbounded (rangeEnd '\0'). Ignored when `single`. */
  readonly end: string | null;
  readonly single: boolean;
}

/** etcd's encoding: no rangeEnd -> the key alone; '\0' -> every key >= key; else [key, rangeEnd). */
export function keyRange(key: string, rangeEnd?: string): KeyRange {
  if (rangeEnd === undefined || rangeEnd === '') return { start: key, end: null, single: true };
  if (rangeEnd === '\0') return { start: key, end: null, single: false };
  return { start: key, end: rangeEnd, single: false };
}

export function inRange(range: KeyRange, key: string): boolean {
  if (range.single) return key === range.start;
  return key >= range.start && (range.end === null || key < range.end);
}

/** The range end that selects every key with `prefix` (clientv3.GetPrefixRangeEnd). */
export function prefixRangeEnd(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return '\0';
}

export type MvccError = 'future-revision' | 'compacted';

export class MvccRangeError extends Error {
  constructor(readonly kind: MvccError) {
    super(kind === 'future-revision' ? 'mvcc: required revision is a future revision' : 'mvcc: required revision has been compacted');
  }
}

/** A watcher registered with the store: sees every write txn's events in its range, in revision order. */
export interface StoreWatcher {
  readonly range: KeyRange;
  /** Called once per write txn that touched the range, with that txn's matching events (never empty). */
  onEvents(events: readonly WatchEvent[], revision: number): void;
}

/** A write transaction's change list, committed by endWrite. */
interface WriteTxn {
  readonly beginRev: number;
  readonly changes: WatchEvent[];
}

export interface MvccStats {
  readonly revision: number;
  readonly liveKeys: number;
  readonly totalRevisions: number;
  /** Bytes of keys and values over the whole history: the basis of the simulated DB size. */
  readonly historyBytes: number;
}

export class MvccStore {
  private rev = 1;
  /** Every key that ever existed, for ranges at past revisions. */
  private readonly allKeys = new SortedKeys();
  /** Keys alive at the current revision. */
  private readonly liveKeys = new SortedKeys();
  private readonly live = new Map<string, KeyValue>();
  /** Per key, every revision in ascending mod_revision; a tombstone has version 0. */
  private readonly history = new Map<string, KeyValue[]>();
  /** Every change in revision order: the source of watch catch-up. */
  private readonly changes: WatchEvent[] = [];
  private readonly watchers = new Set<StoreWatcher>();
  private writeTxn: WriteTxn | null = null;
  private historyBytes = 0;
  private totalRevisions = 0;

  /** The current revision (the last write's, or 1 for an empty store). */
  get revision(): number {
    return this.rev;
  }

  stats(): MvccStats {
    return { revision: this.rev, liveKeys: this.live.size, totalRevisions: this.totalRevisions, historyBytes: this.historyBytes };
  }

  /** The live value of one key, or undefined. */
  get(key: string): KeyValue | undefined {
    return this.live.get(key);
  }

  // ------------------------------------------------------------------------------------------ reads

  range(req: RangeRequest, header: HeaderFn): RangeResponse {
    const curRev = this.readRevision();
    const rev = req.revision !== undefined && req.revision > 0 ? req.revision : curRev;
    if (rev > curRev) throw new MvccRangeError('future-revision');
    const range = keyRange(req.key, req.rangeEnd);
    const limit = req.limit !== undefined && req.limit > 0 ? req.limit : 0;
    const kvs: KeyValue[] = [];
    let count = 0;
    const take = (kv: KeyValue): void => {
      count++;
      if (req.countOnly === true || (limit !== 0 && kvs.length >= limit)) return;
      kvs.push(req.keysOnly === true ? { ...kv, value: '' } : kv);
    };
    if (rev === curRev) {
      if (range.single) {
        const kv = this.live.get(range.start);
        if (kv !== undefined) take(kv);
      } else {
        this.liveKeys.scan(range.start, range.end, (key) => take(this.live.get(key)!));
      }
    } else if (range.single) {
      const kv = this.at(range.start, rev);
      if (kv !== undefined) take(kv);
    } else {
      this.allKeys.scan(range.start, range.end, (key) => {
        const kv = this.at(key, rev);
        if (kv !== undefined) take(kv);
      });
    }
    return { header: header(this.rev), kvs, more: limit !== 0 && count > kvs.length, count };
  }

  /** The key's live KeyValue at revision `rev`, or undefined. */
  private at(key: string, rev: number): KeyValue | undefined {
    const revs = this.history.get(key);
    if (revs === undefined) return undefined;
    for (let i = revs.length - 1; i >= 0; i--) {
      const kv = revs[i]!;
      if (kv.modRevision <= rev) return kv.version > 0 ? kv : undefined;
    }
    return undefined;
  }

  /** Inside a write txn that already changed something, reads see revision beginRev + 1 (kvstore_txn.go). */
  private readRevision(): number {
    const txn = this.writeTxn;
    if (txn !== null && txn.changes.length > 0) return txn.beginRev + 1;
    return this.rev;
  }

  // ------------------------------------------------------------------------------------------ writes

  put(req: PutRequest, header: HeaderFn): PutResponse {
    this.beginWrite();
    const prev = this.putInTxn(req.key, req.value);
    this.endWrite();
    return req.prevKv === true && prev !== undefined ? { header: header(this.rev), prevKv: prev } : { header: header(this.rev) };
  }

  deleteRange(req: DeleteRangeRequest, header: HeaderFn): DeleteRangeResponse {
    this.beginWrite();
    const deleted = this.deleteInTxn(keyRange(req.key, req.rangeEnd));
    this.endWrite();
    return req.prevKv === true ? { header: header(this.rev), deleted: deleted.length, prevKvs: deleted } : { header: header(this.rev), deleted: deleted.length };
  }

  txn(req: TxnRequest, header: HeaderFn): TxnResponse {
    this.beginWrite();
    let succeeded = true;
    for (const c of req.compare) {
      if (!this.compare(c)) {
        succeeded = false;
        break;
      }
    }
    const ops = succeeded ? req.success : req.failure;
    const results: Array<{ op: RequestOp; prev: KeyValue | undefined; deleted: KeyValue[] | null; range: RangeResponse | null }> = [];
    for (const op of ops) {
      switch (op.op) {
        case 'range':
          results.push({ op, prev: undefined, deleted: null, range: this.range(op.request, header) });
          break;
        case 'put':
          results.push({ op, prev: this.putInTxn(op.request.key, op.request.value), deleted: null, range: null });
          break;
        case 'delete':
          results.push({ op, prev: undefined, deleted: this.deleteInTxn(keyRange(op.request.key, op.request.rangeEnd)), range: null });
          break;
      }
    }
    this.endWrite();
    // Every response header carries the txn's final revision (etcd fills them once the txn ends).
    const h = header(this.rev);
    const responses: ResponseOp[] = results.map((r): ResponseOp => {
      switch (r.op.op) {
        case 'range':
          return { op: 'range', response: { ...r.range!, header: h } };
        case 'put':
          return { op: 'put', response: r.op.request.prevKv === true && r.prev !== undefined ? { header: h, prevKv: r.prev } : { header: h } };
        case 'delete': {
          const deleted = r.deleted!;
          return {
            op: 'delete',
            response: r.op.request.prevKv === true ? { header: h, deleted: deleted.length, prevKvs: deleted } : { header: h, deleted: deleted.length },
          };
        }
      }
    });
    return { header: h, succeeded, responses };
  }

  private compare(c: Compare): boolean {
    const kv = this.live.get(c.key);
    if (kv === undefined && c.target === 'value') return false;
    let result: number;
    switch (c.target) {
      case 'value': {
        const a = kv!.value;
        const b = String(c.operand);
        result = a < b ? -1 : a > b ? 1 : 0;
        break;
      }
      case 'create':
        result = Math.sign((kv?.createRevision ?? 0) - Number(c.operand));
        break;
      case 'mod':
        result = Math.sign((kv?.modRevision ?? 0) - Number(c.operand));
        break;
      case 'version':
        result = Math.sign((kv?.version ?? 0) - Number(c.operand));
        break;
    }
    switch (c.result) {
      case 'equal':
        return result === 0;
      case 'not-equal':
        return result !== 0;
      case 'greater':
        return result > 0;
      case 'less':
        return result < 0;
    }
  }

  private beginWrite(): void {
    if (this.writeTxn !== null) throw new Error('MvccStore: nested write transaction');
    this.writeTxn = { beginRev: this.rev, changes: [] };
  }

  private putInTxn(key: string, value: string): KeyValue | undefined {
    const txn = this.writeTxn!;
    const rev = txn.beginRev + 1;
    const prev = this.live.get(key);
    const kv: KeyValue = {
      key,
      createRevision: prev !== undefined ? prev.createRevision : rev,
      modRevision: rev,
      version: prev !== undefined ? prev.version + 1 : 1,
      value,
    };
    if (prev === undefined) this.liveKeys.add(key);
    this.live.set(key, kv);
    this.record(kv);
    txn.changes.push(prev !== undefined ? { type: 'PUT', kv, prevKv: prev } : { type: 'PUT', kv });
    return prev;
  }

  private deleteInTxn(range: KeyRange): KeyValue[] {
    const txn = this.writeTxn!;
    const rev = txn.beginRev + 1;
    const victims: KeyValue[] = [];
    if (range.single) {
      const kv = this.live.get(range.start);
      if (kv !== undefined) victims.push(kv);
    } else {
      this.liveKeys.scan(range.start, range.end, (key) => {
        victims.push(this.live.get(key)!);
      });
    }
    for (const prev of victims) {
      const tombstone: KeyValue = { key: prev.key, createRevision: 0, modRevision: rev, version: 0, value: '' };
      this.live.delete(prev.key);
      this.liveKeys.delete(prev.key);
      this.record(tombstone);
      txn.changes.push({ type: 'DELETE', kv: tombstone, prevKv: prev });
    }
    return victims;
  }

  private record(kv: KeyValue): void {
    let revs = this.history.get(kv.key);
    if (revs === undefined) {
      revs = [];
      this.history.set(kv.key, revs);
      this.allKeys.add(kv.key);
    }
    revs.push(kv);
    this.totalRevisions++;
    this.historyBytes += kv.key.length + kv.value.length;
  }

  private endWrite(): void {
    const txn = this.writeTxn!;
    this.writeTxn = null;
    if (txn.changes.length === 0) return;
    this.rev = txn.beginRev + 1;
    for (const change of txn.changes) this.changes.push(change);
    if (this.watchers.size === 0) return;
    for (const watcher of this.watchers) {
      let matching: WatchEvent[] | null = null;
      for (const change of txn.changes) {
        if (!inRange(watcher.range, change.kv.key)) continue;
        if (matching === null) matching = [];
        matching.push(change);
      }
      if (matching !== null) watcher.onEvents(matching, this.rev);
    }
  }

  // ------------------------------------------------------------------------------------------ watches

  /**
   * Registers a watcher for changes after the current revision and returns the past events in its range with
   * revision >= startRevision (catch-up). startRevision <= 0 means "from the next revision" (no catch-up).
   */
  watch(watcher: StoreWatcher, startRevision: number): WatchEvent[] {
    this.watchers.add(watcher);
    return startRevision > 0 ? this.eventsSince(watcher.range, startRevision) : [];
  }

  unwatch(watcher: StoreWatcher): void {
    this.watchers.delete(watcher);
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Past events in `range` with mod_revision >= startRevision, in order. */
  eventsSince(range: KeyRange, startRevision: number): WatchEvent[] {
    const changes = this.changes;
    let lo = 0;
    let hi = changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (changes[mid]!.kv.modRevision < startRevision) lo = mid + 1;
      else hi = mid;
    }
    const out: WatchEvent[] = [];
    for (let i = lo; i < changes.length; i++) {
      const change = changes[i]!;
      if (inRange(range, change.kv.key)) out.push(change);
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ observation

  /** Every live key-value in key order (tests, end-of-run comparisons). */
  dump(): KeyValue[] {
    const out: KeyValue[] = [];
    this.liveKeys.scan('', null, (key) => {
      out.push(this.live.get(key)!);
    });
    return out;
  }

  /**
   * A hash of the whole history up to `revision` (default: current), like etcd's HashKV: equal on members that
   * applied the same writes. FNV-1a over (key, mod revision, version, value) of every revision in key order.
   */
  hashKV(revision = this.rev): number {
    let h = 0x811c9dc5;
    const mix = (s: string): void => {
      for (let i = 0; i < s.length; i++) {
        h ^= s.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
      }
      h ^= 0xff;
      h = Math.imul(h, 0x01000193);
    };
    this.allKeys.scan('', null, (key) => {
      for (const kv of this.history.get(key)!) {
        if (kv.modRevision > revision) break;
        mix(key);
        mix(String(kv.modRevision));
        mix(String(kv.version));
        mix(kv.value);
      }
    });
    return h >>> 0;
  }
}
