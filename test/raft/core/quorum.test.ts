import { describe, expect, it } from 'vitest';
import { committedIndex, quorumSize, voteResult } from '../../../src/raft/core/quorum';

describe('majority quorum (etcd-io/raft quorum)', () => {
  it('quorumSize', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(quorumSize)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });

  it('committedIndex is the largest index a majority acknowledged', () => {
    expect(committedIndex([5], 1)).toBe(5);
    expect(committedIndex([1, 5, 3], 3)).toBe(3);
    expect(committedIndex([1, 5, 3, 5], 4)).toBe(3);
    expect(committedIndex([0, 0, 9, 9, 9], 5)).toBe(9);
    expect(committedIndex([9, 9, 0, 0, 1], 5)).toBe(1);
    expect(committedIndex([], 0)).toBe(0);
  });

  it('voteResult: won with a majority of yes, lost once a majority is out of reach, else pending', () => {
    expect(voteResult(2, 0, 3)).toBe('won');
    expect(voteResult(1, 1, 3)).toBe('pending');
    expect(voteResult(1, 2, 3)).toBe('lost');
    expect(voteResult(2, 2, 4)).toBe('lost');
    expect(voteResult(2, 1, 4)).toBe('pending');
    expect(voteResult(0, 0, 0)).toBe('won');
  });
});
