// Duplicated work from split brain, read from what acting leaders did (src/lease/acting.ts LeaderAction):
// - a pod bound twice: two successful `bind` actions on the same pod (the apiserver refuses a second binding with
//   409 "pod ... is already assigned to node ...", so two successes mean two schedulers and a lost update);
// - more pods than replicas: at some instant the pods a ReplicaSet's controllers created, minus every pod of it
//   they tried to delete or evict, exceed its replicas. A delete whose outcome is ambiguous (a timeout) counts as
//   done, so the count is a lower bound of the live pods: exceeding replicas is a certain violation.
import { formatSimTime } from '../../sim/time';
import type { LeaderAction } from '../../lease/acting';
import { CHECKER_NAMES, type CheckViolation } from './types';

export interface ReplicaSetReplicas {
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
}

const RS_DETAIL = /^replicaset (\S+)$/;

function who(a: LeaderAction): string {
  return `${a.identity} on ${a.host}`;
}

/** The first duplicated work in the actions (in time order), or null. */
export function checkDuplicatedWork(actions: readonly LeaderAction[], replicaSets: readonly ReplicaSetReplicas[]): CheckViolation | null {
  const bound = new Map<string, LeaderAction>();
  const replicas = new Map(replicaSets.map((rs) => [`${rs.namespace}/${rs.name}`, rs.replicas]));
  const podOwner = new Map<string, string>();
  const gone = new Set<string>();
  const alive = new Map<string, Set<string>>();
  for (const a of actions) {
    switch (a.action) {
      case 'bind': {
        if (a.outcome !== 'ok') break;
        const first = bound.get(a.object);
        if (first === undefined) {
          bound.set(a.object, a);
          break;
        }
        return {
          checker: CHECKER_NAMES.duplicatedWork,
          atUs: a.tUs,
          hosts: [...new Set([first.host, a.host])],
          message: `pod ${a.object} bound twice: by ${who(first)} at ${formatSimTime(first.tUs)}${first.detail ? ` (to ${first.detail})` : ''} and by ${who(a)} at ${formatSimTime(a.tUs)}${a.detail ? ` (to ${a.detail})` : ''}`,
          details: '',
        };
      }
      case 'create-pod': {
        const m = RS_DETAIL.exec(a.detail ?? '');
        if (a.outcome !== 'ok' || m === null) break;
        const rs = m[1]!;
        podOwner.set(a.object, rs);
        if (gone.has(a.object)) break;
        let pods = alive.get(rs);
        if (pods === undefined) {
          pods = new Set();
          alive.set(rs, pods);
        }
        pods.add(a.object);
        const limit = replicas.get(rs);
        if (limit !== undefined && pods.size > limit) {
          return {
            checker: CHECKER_NAMES.duplicatedWork,
            atUs: a.tUs,
            hosts: [a.host],
            message: `replicaset ${rs} has ${pods.size} pods for ${limit} replicas after ${who(a)} created ${a.object} at ${formatSimTime(a.tUs)}`,
            details: `pods: ${[...pods].join(', ')}`,
          };
        }
        break;
      }
      case 'delete-pod':
      case 'evict-pod': {
        gone.add(a.object);
        const rs = podOwner.get(a.object);
        if (rs !== undefined) alive.get(rs)?.delete(a.object);
        break;
      }
      default:
        break;
    }
  }
  return null;
}
