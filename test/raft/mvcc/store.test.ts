import { describe, expect, it } from 'vitest';
import { MvccRangeError, MvccStore, keyRange, prefixRangeEnd, type HeaderFn, type StoreWatcher } from '../../../src/raft/mvcc/store';
import type { WatchEvent } from '../../../src/raft/etcd-api';

const header: HeaderFn = (revision) => ({ clusterId: 'c', memberId: 'm', revision, raftTerm: 2 });

describe('MvccStore revisions', () => {
  it('starts at revision 1 and bumps once per write txn', () => {
    const s = new MvccStore();
    expect(s.revision).toBe(1);
    const r1 = s.put({ key: 'a', value: '1' }, header);
    expect(r1.header.revision).toBe(2);
    const r2 = s.put({ key: 'a', value: '2', prevKv: true }, header);
    expect(r2.header.revision).toBe(3);
    expect(r2.prevKv).toEqual({ key: 'a', createRevision: 2, modRevision: 2, version: 1, value: '1' });
    const got = s.range({ key: 'a' }, header);
    expect(got.kvs).toEqual([{ key: 'a', createRevision: 2, modRevision: 3, version: 2, value: '2' }]);
    expect(got.count).toBe(1);
  });

  it('a delete that matches nothing does not bump the revision; a delete leaves a tombstone and a new life', () => {
    const s = new MvccStore();
    s.put({ key: 'a', value: '1' }, header);
    const none = s.deleteRange({ key: 'zz' }, header);
    expect(none.deleted).toBe(0);
    expect(s.revision).toBe(2);
    const del = s.deleteRange({ key: 'a', prevKv: true }, header);
    expect(del.deleted).toBe(1);
    expect(del.prevKvs?.[0]?.value).toBe('1');
    expect(s.revision).toBe(3);
    expect(s.range({ key: 'a' }, header).count).toBe(0);
    s.put({ key: 'a', value: 'again' }, header);
    expect(s.get('a')).toEqual({ key: 'a', createRevision: 4, modRevision: 4, version: 1, value: 'again' });
  });
});

describe('MvccStore ranges', () => {
  function filled(): MvccStore {
    const s = new MvccStore();
    for (const k of ['/registry/pods/a', '/registry/pods/b', '/registry/pods/c', '/registry/services/x', '/zzz']) s.put({ key: k, value: `v-${k}` }, header);
    return s;
  }

  it('prefix ranges, limits, count-only and keys-only', () => {
    const s = filled();
    const prefix = '/registry/pods/';
    const all = s.range({ key: prefix, rangeEnd: prefixRangeEnd(prefix) }, header);
    expect(all.kvs.map((kv) => kv.key)).toEqual(['/registry/pods/a', '/registry/pods/b', '/registry/pods/c']);
    expect(all.more).toBe(false);
    const limited = s.range({ key: prefix, rangeEnd: prefixRangeEnd(prefix), limit: 2 }, header);
    expect(limited.kvs).toHaveLength(2);
    expect(limited.count).toBe(3);
    expect(limited.more).toBe(true);
    const counted = s.range({ key: prefix, rangeEnd: prefixRangeEnd(prefix), countOnly: true }, header);
    expect(counted.kvs).toHaveLength(0);
    expect(counted.count).toBe(3);
    const keysOnly = s.range({ key: '/zzz', keysOnly: true }, header);
    expect(keysOnly.kvs[0]?.value).toBe('');
    const fromKey = s.range({ key: '/registry/services/', rangeEnd: '\0' }, header);
    expect(fromKey.kvs.map((kv) => kv.key)).toEqual(['/registry/services/x', '/zzz']);
  });

  it('reads at a past revision see the state of that revision', () => {
    const s = new MvccStore();
    s.put({ key: 'k', value: 'one' }, header); // rev 2
    s.put({ key: 'k', value: 'two' }, header); // rev 3
    s.deleteRange({ key: 'k' }, header); // rev 4
    s.put({ key: 'j', value: 'x' }, header); // rev 5
    expect(s.range({ key: 'k', revision: 2 }, header).kvs[0]?.value).toBe('one');
    expect(s.range({ key: 'k', revision: 3 }, header).kvs[0]?.value).toBe('two');
    expect(s.range({ key: 'k', revision: 4 }, header).count).toBe(0);
    expect(s.range({ key: 'a', rangeEnd: '\0', revision: 3 }, header).kvs.map((kv) => kv.key)).toEqual(['k']);
    expect(s.range({ key: 'a', rangeEnd: '\0', revision: 5 }, header).kvs.map((kv) => kv.key)).toEqual(['j']);
    expect(s.range({ key: 'k', revision: 2 }, header).header.revision).toBe(5);
    expect(() => s.range({ key: 'k', revision: 6 }, header)).toThrow(MvccRangeError);
  });
});

describe('MvccStore txn', () => {
  it('compare mod_revision then put else get (the apiserver optimistic concurrency pattern)', () => {
    const s = new MvccStore();
    s.put({ key: 'obj', value: 'v1' }, header); // rev 2
    const ok = s.txn(
      {
        compare: [{ key: 'obj', target: 'mod', result: 'equal', operand: 2 }],
        success: [{ op: 'put', request: { key: 'obj', value: 'v2' } }],
        failure: [{ op: 'range', request: { key: 'obj' } }],
      },
      header,
    );
    expect(ok.succeeded).toBe(true);
    expect(ok.header.revision).toBe(3);
    const stale = s.txn(
      {
        compare: [{ key: 'obj', target: 'mod', result: 'equal', operand: 2 }],
        success: [{ op: 'put', request: { key: 'obj', value: 'v3' } }],
        failure: [{ op: 'range', request: { key: 'obj' } }],
      },
      header,
    );
    expect(stale.succeeded).toBe(false);
    expect(s.revision).toBe(3);
    const r = stale.responses[0]!;
    expect(r.op === 'range' && r.response.kvs[0]?.value).toBe('v2');
  });

  it('missing keys compare as zero, except value compares which fail', () => {
    const s = new MvccStore();
    const create = s.txn(
      { compare: [{ key: 'new', target: 'create', result: 'equal', operand: 0 }], success: [{ op: 'put', request: { key: 'new', value: 'x' } }], failure: [] },
      header,
    );
    expect(create.succeeded).toBe(true);
    const value = s.txn({ compare: [{ key: 'absent', target: 'value', result: 'not-equal', operand: 'x' }], success: [], failure: [] }, header);
    expect(value.succeeded).toBe(false);
    const version = s.txn({ compare: [{ key: 'new', target: 'version', result: 'greater', operand: 0 }], success: [], failure: [] }, header);
    expect(version.succeeded).toBe(true);
  });

  it('writes of one txn share a revision and later ops see earlier ones', () => {
    const s = new MvccStore();
    const t = s.txn(
      {
        compare: [],
        success: [
          { op: 'put', request: { key: 'a', value: '1' } },
          { op: 'put', request: { key: 'b', value: '2' } },
          { op: 'range', request: { key: 'a', rangeEnd: '\0' } },
          { op: 'delete', request: { key: 'a', prevKv: true } },
        ],
        failure: [],
      },
      header,
    );
    expect(t.header.revision).toBe(2);
    const range = t.responses[2]!;
    expect(range.op === 'range' && range.response.kvs.map((kv) => kv.key)).toEqual(['a', 'b']);
    const del = t.responses[3]!;
    expect(del.op === 'delete' && del.response.deleted).toBe(1);
    expect(s.get('b')?.modRevision).toBe(2);
    expect(s.get('a')).toBeUndefined();
  });
});

describe('MvccStore watches', () => {
  it('replays history from a revision and then delivers each write txn once', () => {
    const s = new MvccStore();
    s.put({ key: '/p/a', value: '1' }, header); // 2
    s.put({ key: '/q/x', value: '1' }, header); // 3
    s.put({ key: '/p/b', value: '1' }, header); // 4
    const seen: Array<{ rev: number; events: readonly WatchEvent[] }> = [];
    const watcher: StoreWatcher = { range: keyRange('/p/', prefixRangeEnd('/p/')), onEvents: (events, rev) => seen.push({ rev, events }) };
    const past = s.watch(watcher, 3);
    expect(past.map((e) => [e.type, e.kv.key, e.kv.modRevision])).toEqual([['PUT', '/p/b', 4]]);
    s.put({ key: '/q/y', value: '2' }, header); // 5 (not in range)
    s.deleteRange({ key: '/p/', rangeEnd: prefixRangeEnd('/p/') }, header); // 6
    expect(seen).toHaveLength(1);
    expect(seen[0]!.rev).toBe(6);
    expect(seen[0]!.events.map((e) => [e.type, e.kv.key, e.prevKv?.value])).toEqual([
      ['DELETE', '/p/a', '1'],
      ['DELETE', '/p/b', '1'],
    ]);
    s.unwatch(watcher);
    s.put({ key: '/p/c', value: '3' }, header);
    expect(seen).toHaveLength(1);
  });

  it('members that applied the same writes have equal KV hashes', () => {
    const a = new MvccStore();
    const b = new MvccStore();
    for (const s of [a, b]) {
      s.put({ key: 'x', value: '1' }, header);
      s.deleteRange({ key: 'x' }, header);
    }
    expect(a.hashKV()).toBe(b.hashKV());
    b.put({ key: 'x', value: '2' }, header);
    expect(a.hashKV()).not.toBe(b.hashKV());
    expect(a.hashKV()).toBe(b.hashKV(3));
  });
});
