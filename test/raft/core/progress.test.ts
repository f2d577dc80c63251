import { describe, expect, it } from 'vitest';
import { Progress } from '../../../src/raft/core/progress';

describe('Progress (etcd-io/raft tracker/progress_test.go)', () => {
  it('maybeUpdate moves match and next forward only (TestProgressUpdate)', () => {
    const cases: [number, number, number, boolean][] = [
      [2, 3, 5, false], // stale
      [3, 3, 5, false], // same
      [4, 4, 5, true], // match up, next unchanged
      [5, 5, 6, true], // next up
      [6, 6, 7, true],
    ];
    for (const [update, wm, wn, ok] of cases) {
      const p = new Progress(2, 10);
      p.match = 3;
      p.next = 5;
      expect(p.maybeUpdate(update)).toBe(ok);
      expect([p.match, p.next]).toEqual([wm, wn]);
    }
  });

  it('maybeDecrTo (TestProgressMaybeDecr): replicate drops to match+1; probe follows the hint, ignoring stale rejections', () => {
    const cases: { state: 'probe' | 'replicate'; m: number; n: number; rejected: number; hint: number; ok: boolean; wn: number }[] = [
      { state: 'replicate', m: 5, n: 10, rejected: 5, hint: 5, ok: false, wn: 10 },
      { state: 'replicate', m: 5, n: 10, rejected: 4, hint: 4, ok: false, wn: 10 },
      { state: 'replicate', m: 5, n: 10, rejected: 9, hint: 9, ok: true, wn: 6 },
      { state: 'probe', m: 0, n: 0, rejected: 0, hint: 0, ok: false, wn: 0 },
      { state: 'probe', m: 0, n: 10, rejected: 5, hint: 5, ok: false, wn: 10 },
      { state: 'probe', m: 0, n: 10, rejected: 9, hint: 9, ok: true, wn: 9 },
      { state: 'probe', m: 0, n: 2, rejected: 1, hint: 1, ok: true, wn: 1 },
      { state: 'probe', m: 0, n: 1, rejected: 0, hint: 0, ok: true, wn: 1 },
      { state: 'probe', m: 0, n: 10, rejected: 9, hint: 2, ok: true, wn: 3 },
      { state: 'probe', m: 0, n: 10, rejected: 9, hint: 0, ok: true, wn: 1 },
    ];
    for (const [i, c] of cases.entries()) {
      const p = new Progress(2, 10);
      p.state = c.state;
      p.match = c.m;
      p.next = c.n;
      expect(p.maybeDecrTo(c.rejected, c.hint), `case ${i}`).toBe(c.ok);
      expect(p.match, `case ${i}`).toBe(c.m);
      expect(p.next, `case ${i}`).toBe(c.wn);
    }
  });

  it('pauses: probe after one MsgApp with entries, replicate when the window is full', () => {
    const p = new Progress(2, 2);
    p.sentEntries(1);
    expect(p.isPaused()).toBe(true);
    p.match = 1;
    p.becomeReplicate();
    expect(p.isPaused()).toBe(false);
    p.sentEntries(1);
    expect(p.isPaused()).toBe(false);
    p.sentEntries(1);
    expect(p.isPaused()).toBe(true);
    expect(p.next).toBe(4);
    p.inflights.freeLE(2);
    p.maybeUpdate(2);
    expect(p.isPaused()).toBe(false);
  });
});
