// Majority quorums (etcd-io/raft quorum/majority.go), for one (non-joint) voter set. Allocation-free: callers pass
// a scratch array sized for the cluster.

export type VoteResult = 'pending' | 'lost' | 'won';

export function quorumSize(voters: number): number {
  return (voters >> 1) + 1;
}

/**
 * The largest index acknowledged by a quorum, given each voter's acknowledged index in `acked[0..n)`.
 * The array is sorted in place (descending). With no voters, returns 0.
 */
export function committedIndex(acked: number[], n: number): number {
  if (n === 0) return 0;
  // Insertion sort, descending: clusters have a handful of members.
  for (let i = 1; i < n; i++) {
    const v = acked[i]!;
    let j = i - 1;
    while (j >= 0 && acked[j]! < v) {
      acked[j + 1] = acked[j]!;
      j--;
    }
    acked[j + 1] = v;
  }
  return acked[quorumSize(n) - 1]!;
}

/** The outcome of an election with `granted` yes and `rejected` no votes among `voters` (the rest missing). */
export function voteResult(granted: number, rejected: number, voters: number): VoteResult {
  if (voters === 0) return 'won';
  const q = quorumSize(voters);
  if (granted >= q) return 'won';
  if (voters - rejected >= q) return 'pending';
  return 'lost';
}
