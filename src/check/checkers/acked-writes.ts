// No acknowledged write lost: after the faults heal, every key reads back at least its last acknowledged write.
//
// etcd revisions only grow, so each key's final mod_revision must be >= the highest revision at which a write to
// it was acknowledged; if it is equal, the value must be that write's. (A later unacknowledged write may have
// overwritten it -- that is fine; a final read *below* an acknowledged revision means the write was lost, e.g. a
// leader acknowledged an entry it never got a quorum for.)
import { formatSimTime } from '../../sim/time';
import type { Operation } from '../linearizability/history';
import type { KvInput, KvOutput } from '../linearizability/kv-model';
import { CHECKER_NAMES, type CheckViolation } from './types';

export interface FinalRead {
  readonly value: string | null;
  readonly modRevision: number;
  readonly atUs: number;
}

interface Acked {
  readonly value: string;
  readonly revision: number;
  readonly op: Operation<KvInput, KvOutput>;
}

/** The last acknowledged write of each key (by revision). */
export function lastAckedWrites(history: ReadonlyArray<Operation<KvInput, KvOutput>>): Map<string, Acked> {
  const out = new Map<string, Acked>();
  for (const op of history) {
    const o = op.output;
    let revision: number | null = null;
    let value: string | null = null;
    if (op.input.op === 'put' && o.kind === 'put') {
      revision = o.revision;
      value = op.input.value;
    } else if (op.input.op === 'cas' && o.kind === 'cas' && o.succeeded) {
      revision = o.revision;
      value = op.input.value;
    }
    if (revision === null || value === null) continue;
    const prev = out.get(op.input.key);
    if (prev === undefined || revision > prev.revision) out.set(op.input.key, { value, revision, op });
  }
  return out;
}

/**
 * Compares the final reads with the acknowledged writes. A key written but never read back is reported too
 * (the check could not be made: `unverified`), without being a violation.
 */
export function checkAckedWrites(
  history: ReadonlyArray<Operation<KvInput, KvOutput>>,
  finalReads: ReadonlyMap<string, FinalRead>,
): { readonly violation: CheckViolation | null; readonly verified: number; readonly unverified: readonly string[] } {
  const acked = lastAckedWrites(history);
  const unverified: string[] = [];
  let verified = 0;
  let violation: CheckViolation | null = null;
  for (const [key, write] of [...acked].sort((a, b) => a[1].op.returnUs - b[1].op.returnUs)) {
    const final = finalReads.get(key);
    // A final read that did not follow the write (it returned later) cannot tell whether the write survived.
    if (final === undefined || final.atUs <= write.op.returnUs) {
      unverified.push(key);
      continue;
    }
    verified++;
    const lost = final.modRevision < write.revision || (final.modRevision === write.revision && final.value !== write.value);
    if (!lost || violation !== null) continue;
    const shown = final.value === null ? 'absent' : `${JSON.stringify(final.value)} at revision ${final.modRevision}`;
    violation = {
      checker: CHECKER_NAMES.ackedWriteLost,
      atUs: final.atUs,
      hosts: [],
      message: `acknowledged write lost: key ${key} was written ${JSON.stringify(write.value)} (acknowledged at revision ${write.revision}, t=${formatSimTime(write.op.returnUs)}) but reads ${shown} after the faults healed`,
      details: `write: [client ${write.op.clientId} ${formatSimTime(write.op.callUs)} .. ${formatSimTime(write.op.returnUs)}]\nfinal read at t=${formatSimTime(final.atUs)}`,
    };
  }
  return { violation, verified, unverified };
}
