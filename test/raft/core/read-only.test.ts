import { describe, expect, it } from 'vitest';
import { ReadOnly } from '../../../src/raft/core/read-only';

describe('ReadOnly (ReadOnlySafe)', () => {
  it('confirms requests in order once a quorum acknowledged a heartbeat carrying their position', () => {
    const ro = new ReadOnly();
    const scratch = [0, 0, 0];
    expect(ro.heartbeatCtx()).toBeNull();
    ro.addRequest(10, { from: 0, context: 'a' });
    ro.recvAck(1, ro.heartbeatCtx()!);
    ro.addRequest(12, { from: 2, context: 'b' });
    const pos = ro.heartbeatCtx()!;
    expect(pos).toBe(2);
    ro.recvAck(1, pos);
    expect(ro.maybeAdvance([1, 2, 3], scratch)).toEqual([]);
    ro.recvAck(3, 1); // confirms only the first
    expect(ro.maybeAdvance([1, 2, 3], scratch).map((r) => r.req.context)).toEqual(['a']);
    ro.recvAck(2, 2);
    expect(ro.maybeAdvance([1, 2, 3], scratch).map((r) => [r.req.context, r.index])).toEqual([['b', 12]]);
    expect(ro.pending()).toBe(0);
    expect(ro.heartbeatCtx()).toBeNull();
  });
});
