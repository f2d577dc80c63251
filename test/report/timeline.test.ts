import { describe, expect, it } from 'vitest';
import { foldLines } from '../../src/report/timeline';
import type { TimelineLine } from '../../src/report/timeline-events';

const s = (x: number): number => x * 1_000_000;
const texts = (lines: readonly TimelineLine[]): string[] => lines.map((l) => `${(l.tUs / 1e6).toFixed(1)} ${l.text}`);

describe('foldLines', () => {
  it('folds more than two lines with one key into one line at the first time, keeping time order', () => {
    const lines: TimelineLine[] = [
      { tUs: s(1), text: 'a renews', fold: 'a' },
      { tUs: s(2), text: 'b reads', fold: 'b' },
      { tUs: s(3), text: 'a renews', fold: 'a' },
      { tUs: s(4), text: 'something else' },
      { tUs: s(5), text: 'a renews', fold: 'a' },
      { tUs: s(6), text: 'b reads', fold: 'b' },
    ];
    expect(texts(foldLines(lines))).toEqual(['1.0 a renews x3, every ~2.0s until t=5.000s', '2.0 b reads', '4.0 something else', '6.0 b reads']);
  });

  it('a fault breaks every fold; a leadership change breaks only its lease', () => {
    const lines: TimelineLine[] = [
      { tUs: s(1), text: 'renews kube-scheduler', fold: 'renew kube-scheduler' },
      { tUs: s(2), text: 'renews kube-scheduler', fold: 'renew kube-scheduler' },
      { tUs: s(2), text: 'renews kcm', fold: 'renew kcm' },
      { tUs: s(3), text: 'renews kube-scheduler', fold: 'renew kube-scheduler' },
      { tUs: s(4), text: 'renews kcm', fold: 'renew kcm' },
      { tUs: s(5), text: 'kube-scheduler changes hands', breaks: 'kube-scheduler' },
      { tUs: s(6), text: 'renews kube-scheduler', fold: 'renew kube-scheduler' },
      { tUs: s(6), text: 'renews kcm', fold: 'renew kcm' },
      { tUs: s(7), text: 'crash', breaksFold: true },
      { tUs: s(8), text: 'renews kcm', fold: 'renew kcm' },
    ];
    expect(texts(foldLines(lines))).toEqual([
      '1.0 renews kube-scheduler x3, every ~1.0s until t=3.000s',
      '2.0 renews kcm x3, every ~2.0s until t=6.000s',
      '5.0 kube-scheduler changes hands',
      '6.0 renews kube-scheduler',
      '7.0 crash',
      '8.0 renews kcm',
    ]);
  });

  it('merges lines of one instant that share a merge key', () => {
    const m = (item: string, host = 'server-0'): TimelineLine => ({ tUs: s(1), text: `${host} ${item} starts`, merge: { key: `${host} start`, prefix: `${host} kubelet starts`, item, suffix: '' } });
    const lines: TimelineLine[] = [m('etcd'), m('etcd', 'server-1'), { tUs: s(1), text: 'other' }, m('kube-apiserver'), { tUs: s(2), text: 'later' }];
    expect(texts(foldLines(lines))).toEqual(['1.0 server-0 kubelet starts etcd, kube-apiserver', '1.0 server-1 etcd starts', '1.0 other', '2.0 later']);
  });
});
