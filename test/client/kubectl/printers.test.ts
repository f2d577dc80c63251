// kubectl's formatting pieces: HumanDuration (apimachinery's own test tables), the tabwriter, go-yaml quoting.
import { describe, expect, it } from 'vitest';
import { humanDuration, tabwrite } from '../../../src/client/kubectl/printers';
import { toKubectlYaml } from '../../../src/client/kubectl/yaml';

const S = 1_000_000;
const M = 60 * S;
const H = 60 * M;
const MS = 1000;

describe('humanDuration (duration_test.go TestHumanDuration, TestHumanDurationBoundaries)', () => {
  const cases: Array<[number, string]> = [
    [S, '1s'],
    [70 * S, '70s'],
    [190 * S, '3m10s'],
    [70 * M, '70m'],
    [47 * H, '47h'],
    [49 * H, '2d1h'],
    [(8 * 24 + 2) * H, '8d'],
    [367 * 24 * H, '367d'],
    [(365 * 2 * 24 + 25) * H, '2y1d'],
    [(365 * 8 * 24 + 2) * H, '8y'],
    [-2 * S, '<invalid>'],
    [-2 * S + 1, '0s'],
    [0, '0s'],
    [S - MS, '0s'],
    [2 * M - MS, '119s'],
    [2 * M, '2m'],
    [2 * M + S, '2m1s'],
    [10 * M - MS, '9m59s'],
    [10 * M, '10m'],
    [10 * M + S, '10m'],
    [3 * H - MS, '179m'],
    [3 * H, '3h'],
    [3 * H + M, '3h1m'],
    [8 * H - MS, '7h59m'],
    [8 * H, '8h'],
    [8 * H + 59 * M, '8h'],
    [2 * 24 * H - MS, '47h'],
    [2 * 24 * H, '2d'],
    [2 * 24 * H + H, '2d1h'],
    [8 * 24 * H - MS, '7d23h'],
    [8 * 24 * H, '8d'],
    [8 * 24 * H + 23 * H, '8d'],
    [2 * 365 * 24 * H - MS, '729d'],
    [2 * 365 * 24 * H, '2y'],
    [2 * 365 * 24 * H + 24 * H - MS, '2y'],
    [2 * 365 * 24 * H + 24 * H, '2y1d'],
    [3 * 365 * 24 * H, '3y'],
    [8 * 365 * 24 * H - MS, '7y364d'],
    [8 * 365 * 24 * H, '8y'],
    [9 * 365 * 24 * H, '9y'],
  ];
  for (const [us, want] of cases) it(`${us}µs -> ${want}`, () => expect(humanDuration(us)).toBe(want));
});

describe('tabwrite', () => {
  it('pads every column but the last to max(width + 3, 6)', () => {
    expect(tabwrite([
      ['NAME', 'HOLDER', 'AGE'],
      ['kube-scheduler', 'cp-0_1234', '5m'],
      ['a', '', '10s'],
    ])).toBe('NAME             HOLDER      AGE\nkube-scheduler   cp-0_1234   5m\na                            10s\n');
    expect(tabwrite([['A', 'B'], ['x', 'y']])).toBe('A     B\nx     y\n');
  });
});

describe('toKubectlYaml', () => {
  it('sorts keys, quotes what go-yaml quotes, puts sequences at their key', () => {
    const yaml = toKubectlYaml({
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: { resourceVersion: '21081', name: 'kube-scheduler', creationTimestamp: '2022-07-23T11:55:38Z', uid: '28786f53-ba4f-4eaa-89f3-eaba246f883a', labels: {} },
      spec: { holderIdentity: 'mac-k8s_085b5652', leaseDurationSeconds: 15, renewTime: '2022-07-25T16:44:48.465776Z', preferredHolder: '' },
      list: [{ b: 1, a: 'yes' }, 'on', '*', 'a: b', 'plain'],
      empty: [],
      nothing: null,
    });
    expect(yaml).toBe(
      [
        'apiVersion: coordination.k8s.io/v1',
        'empty: []',
        'kind: Lease',
        'list:',
        '- a: "yes"',
        '  b: 1',
        '- "on"',
        "- '*'",
        "- 'a: b'",
        '- plain',
        'metadata:',
        '  creationTimestamp: "2022-07-23T11:55:38Z"',
        '  labels: {}',
        '  name: kube-scheduler',
        '  resourceVersion: "21081"',
        '  uid: 28786f53-ba4f-4eaa-89f3-eaba246f883a',
        'nothing: null',
        'spec:',
        '  holderIdentity: mac-k8s_085b5652',
        '  leaseDurationSeconds: 15',
        '  preferredHolder: ""',
        '  renewTime: "2022-07-25T16:44:48.465776Z"',
        '',
      ].join('\n'),
    );
  });
});
