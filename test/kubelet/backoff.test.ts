import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/kubelet/backoff';

const S = 1_000_000;

describe('Backoff (flowcontrol.Backoff, kubelet CrashLoopBackOff)', () => {
  it('starts at 10 s and doubles to 300 s', () => {
    const b = new Backoff(10 * S, 300 * S);
    const seen: number[] = [];
    let t = 0;
    for (let i = 0; i < 8; i++) {
      b.next('c', t, t);
      seen.push(b.get('c') / S);
      t += 1 * S;
    }
    expect(seen).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it('is in back-off while less than the current window passed since the exit', () => {
    const b = new Backoff(10 * S, 300 * S);
    expect(b.isInBackOffSince('c', 0, 0)).toBe(false);
    b.next('c', 0, 0);
    expect(b.isInBackOffSince('c', 5 * S, 14 * S)).toBe(true);
    expect(b.isInBackOffSince('c', 5 * S, 15 * S)).toBe(false);
  });

  it('resets once the container ran more than 10 minutes (2 x max) since its last restart', () => {
    const b = new Backoff(10 * S, 300 * S);
    b.next('c', 0, 0);
    b.next('c', 10 * S, 20 * S);
    expect(b.get('c')).toBe(20 * S);
    // Exit 600 s after the last update: not expired yet (strictly greater is required).
    expect(b.isInBackOffSince('c', 620 * S, 621 * S)).toBe(true);
    expect(b.isInBackOffSince('c', 620 * S + 1, 621 * S)).toBe(false);
    b.next('c', 620 * S + 1, 621 * S);
    expect(b.get('c')).toBe(10 * S);
  });
});
