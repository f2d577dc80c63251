// A safety violation found by a Raft checker: which property (Raft paper Figure 3, plus the TLA+ spec's
// committed-is-durable), where (term, index) and who.
import type { NodeId } from '../types';

export type RaftProperty =
  | 'Election Safety'
  | 'Leader Append-Only'
  | 'Log Matching'
  | 'Leader Completeness'
  | 'State Machine Safety'
  | 'Committed Durability';

export interface RaftViolation {
  readonly property: RaftProperty;
  /** Starts with the property name; names the term and/or index and the members involved. */
  readonly message: string;
  readonly members: readonly NodeId[];
  readonly term: number;
  readonly index: number;
}

export function violation(property: RaftProperty, detail: string, members: readonly NodeId[], term: number, index: number): RaftViolation {
  return { property, message: `${property} violated: ${detail}`, members, term, index };
}

/** "member 2" / "members 1 and 3". */
export function describeMembers(ids: readonly NodeId[]): string {
  if (ids.length === 1) return `member ${ids[0]}`;
  return `members ${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}
