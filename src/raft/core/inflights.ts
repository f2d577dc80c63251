// Flow control for the leader's optimistic replication (etcd-io/raft tracker/inflights.go): a bounded ring of the
// last indexes of MsgApps sent to one follower and not yet acknowledged. Counted in messages only (etcd's
// MaxInflightBytes is not modelled).

export class Inflights {
  private start = 0;
  private count = 0;
  /** Grown lazily up to `capacity`, like etcd's buffer: an idle follower costs no array. */
  private buffer: number[] = [];

  constructor(readonly capacity: number) {
    if (!(capacity >= 1) || !Number.isInteger(capacity)) {
      throw new RangeError(`Inflights: capacity must be a positive integer, got ${capacity}`);
    }
  }

  /** Records a MsgApp whose last entry is `lastIndex`. Indexes must be added in increasing order. */
  add(lastIndex: number): void {
    if (this.full()) throw new Error('Inflights.add: cannot add into a full inflights');
    let next = this.start + this.count;
    if (next >= this.capacity) next -= this.capacity;
    if (next >= this.buffer.length) this.grow();
    this.buffer[next] = lastIndex;
    this.count++;
  }

  private grow(): void {
    const size = Math.min(this.capacity, Math.max(1, this.buffer.length * 2));
    // The ring never wraps before the buffer reaches full capacity (wrapping needs next >= capacity), so a plain
    // extension keeps the order.
    for (let i = this.buffer.length; i < size; i++) this.buffer.push(0);
  }

  /** Frees every inflight message whose last index is <= `to` (they were acknowledged). */
  freeLE(to: number): void {
    if (this.count === 0 || to < this.buffer[this.start]!) return;
    let idx = this.start;
    let i = 0;
    for (; i < this.count; i++) {
      if (to < this.buffer[idx]!) break;
      idx++;
      if (idx >= this.capacity) idx -= this.capacity;
    }
    this.count -= i;
    this.start = this.count === 0 ? 0 : idx;
  }

  full(): boolean {
    return this.count === this.capacity;
  }

  size(): number {
    return this.count;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}
