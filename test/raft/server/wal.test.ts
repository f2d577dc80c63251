import { describe, expect, it } from 'vitest';
import { WalFile } from '../../../src/raft/server/wal';
import type { Entry } from '../../../src/raft/types';

const e = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: `e${index}` });

describe('WAL durability model', () => {
  it('written data is durable only after a completed fsync', () => {
    const wal = new WalFile({ memberIdHex: 'a', clusterIdHex: 'c' });
    wal.write({ term: 1, vote: 0, commit: 0 }, [e(1, 1), e(2, 1)]);
    expect(wal.written.lastIndex()).toBe(2);
    expect(wal.synced.lastIndex()).toBe(0);
    wal.beginSync();
    wal.write({ term: 2, vote: 5, commit: 1 }, []); // written while the fsync runs: not covered by it
    wal.endSync();
    expect(wal.synced.lastIndex()).toBe(2);
    expect(wal.synced.hardState.term).toBe(1);
    expect(wal.pendingRecords).toBe(1);
  });

  it('a host crash loses unsynced records; a killed process does not (the page cache survives)', () => {
    const hostCrash = new WalFile({ memberIdHex: 'a', clusterIdHex: 'c' });
    const procCrash = new WalFile({ memberIdHex: 'a', clusterIdHex: 'c' });
    for (const wal of [hostCrash, procCrash]) {
      wal.write({ term: 1, vote: 0, commit: 0 }, [e(1, 1)]);
      wal.beginSync();
      wal.endSync();
      wal.write({ term: 2, vote: 7, commit: 1 }, [e(2, 2)]);
    }
    hostCrash.recover(true);
    expect(hostCrash.written.lastIndex()).toBe(1);
    expect(hostCrash.written.hardState).toEqual({ term: 1, vote: 0, commit: 0 });
    procCrash.recover(false);
    expect(procCrash.written.lastIndex()).toBe(2);
    expect(procCrash.synced.hardState).toEqual({ term: 2, vote: 7, commit: 1 });
  });

  it('conflicting entries replace the suffix and count as a truncation', () => {
    const wal = new WalFile({ memberIdHex: 'a', clusterIdHex: 'c' });
    wal.write(null, [e(1, 1), e(2, 1), e(3, 1)]);
    wal.write(null, [e(2, 2)]);
    expect(wal.written.lastIndex()).toBe(2);
    expect(wal.written.term(2)).toBe(2);
    expect(wal.written.truncations()).toBe(1);
    expect(() => wal.write(null, [e(5, 2)])).toThrow(/gap/);
  });
});
