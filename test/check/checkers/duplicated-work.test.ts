import { describe, expect, it } from 'vitest';
import { checkDuplicatedWork } from '../../../src/check/checkers/duplicated-work';
import type { LeaderAction } from '../../../src/lease/acting';

const L = 'kube-system/kube-scheduler';
const act = (tUs: number, identity: string, action: string, object: string, outcome = 'ok', detail = ''): LeaderAction => ({
  tUs,
  lease: action === 'bind' ? L : 'kube-system/kube-controller-manager',
  identity,
  host: identity.split('_')[0]!,
  proc: action === 'bind' ? 'kube-scheduler' : 'kube-controller-manager',
  action,
  object,
  outcome,
  detail,
});
const rs = [{ namespace: 'default', name: 'web', replicas: 2 }];

describe('checkDuplicatedWork', () => {
  it('accepts one binding per pod and a ReplicaSet kept at its replicas', () => {
    const actions = [
      act(1, 'server-0_a', 'create-pod', 'default/web-1', 'ok', 'replicaset default/web'),
      act(2, 'server-0_a', 'create-pod', 'default/web-2', 'ok', 'replicaset default/web'),
      act(3, 'server-0_s', 'bind', 'default/web-1', 'ok', 'worker-0'),
      act(4, 'server-1_s2', 'bind', 'default/web-1', '409 Conflict: pod web-1 is already assigned to node worker-0', 'worker-1'),
      act(5, 'server-1_b', 'evict-pod', 'default/web-2', 'ok'),
      act(6, 'server-1_b', 'create-pod', 'default/web-3', 'ok', 'replicaset default/web'),
      act(7, 'server-1_b', 'create-pod', 'default/web-*', '500 InternalError: etcdserver: request timed out', 'replicaset default/web'),
    ];
    expect(checkDuplicatedWork(actions, rs)).toBeNull();
  });

  it('reports a pod bound twice, with both schedulers', () => {
    const v = checkDuplicatedWork([act(3_000_000, 'server-0_s', 'bind', 'default/p', 'ok', 'worker-0'), act(4_500_000, 'server-1_t', 'bind', 'default/p', 'ok', 'worker-1')], rs);
    expect(v).toMatchObject({ checker: 'duplicated-work', atUs: 4_500_000, hosts: ['server-0', 'server-1'] });
    expect(v!.message).toBe('pod default/p bound twice: by server-0_s on server-0 at 3.000s (to worker-0) and by server-1_t on server-1 at 4.500s (to worker-1)');
  });

  it('reports more pods than replicas, counting ambiguous deletes as done', () => {
    const base = [
      act(1, 'server-0_a', 'create-pod', 'default/web-1', 'ok', 'replicaset default/web'),
      act(2, 'server-0_a', 'create-pod', 'default/web-2', 'ok', 'replicaset default/web'),
      act(3, 'server-0_a', 'delete-pod', 'default/web-2', 'context deadline exceeded', 'replicaset default/web'),
    ];
    expect(checkDuplicatedWork([...base, act(4, 'server-1_b', 'create-pod', 'default/web-3', 'ok', 'replicaset default/web')], rs)).toBeNull();
    const v = checkDuplicatedWork([...base, act(4, 'server-1_b', 'create-pod', 'default/web-3', 'ok', 'replicaset default/web'), act(5, 'server-0_a', 'create-pod', 'default/web-4', 'ok', 'replicaset default/web')], rs);
    expect(v).toMatchObject({ checker: 'duplicated-work', atUs: 5, hosts: ['server-0'] });
    expect(v!.message).toContain('replicaset default/web has 3 pods for 2 replicas');
  });
});
