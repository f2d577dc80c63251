// What every checker reports: the first violation, with its time and the hosts involved.
import { formatSimTime } from '../../sim/time';

/** Names of the checkers, as reports and scenario expectations (`type: violation, invariant: ...`) use them. */
export const CHECKER_NAMES = {
  leaseExclusivity: 'lease-exclusivity',
  duplicatedWork: 'duplicated-work',
  ackedWriteLost: 'acked-write-lost',
  linearizability: 'linearizability',
  liveness: 'liveness',
} as const;

export interface CheckViolation {
  /** The checker (a CHECKER_NAMES value, or a Raft checker's name). */
  readonly checker: string;
  /** When the violation began (simulated µs). */
  readonly atUs: number;
  readonly hosts: readonly string[];
  /** One line. */
  readonly message: string;
  /** Further lines (an explanation), or ''. */
  readonly details: string;
}

export function formatCheckViolation(v: CheckViolation): string {
  const lines = [`${v.checker} violated at t=${formatSimTime(v.atUs)}: ${v.message}`];
  if (v.hosts.length > 0) lines.push(`  hosts: ${v.hosts.join(', ')}`);
  if (v.details !== '') lines.push(...v.details.split('\n').map((l) => `  ${l}`));
  return lines.join('\n');
}
