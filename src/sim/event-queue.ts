// The engine's priority queue: a binary min-heap of events ordered by (timeUs, seq).
// `seq` is the insertion sequence, so two events at the same instant run in the order they were scheduled.
// Cancelled events are taken out at once (remove): most timers a simulation sets are cancelled (RPC deadlines,
// retransmission timers, client timeouts), and leaving them in until their time came made the heap ~3x larger than
// the live events, and every push and pop slower. Each event knows its position in the heap (`index`) for that.

export type EventFn = (arg: unknown) => void;

export interface SimEvent {
  readonly timeUs: number;
  readonly seq: number;
  fn: EventFn | null;
  arg: unknown;
  /** Position in the heap; -1 once popped or removed (maintained by EventQueue). */
  index?: number;
}

/** a runs before b */
function before(a: SimEvent, b: SimEvent): boolean {
  return a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.seq < b.seq);
}

export class EventQueue {
  private readonly heap: SimEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(event: SimEvent): void {
    const heap = this.heap;
    heap.push(event);
    this.siftUp(event, heap.length - 1);
  }

  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  pop(): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    top.index = -1;
    const last = heap.pop()!;
    if (heap.length !== 0) this.siftDown(last, 0);
    return top;
  }

  /** Takes an event out of the queue (a cancelled one); nothing happens if it is not queued. */
  remove(event: SimEvent): void {
    const heap = this.heap;
    const index = event.index;
    if (index === undefined || index < 0 || heap[index] !== event) return;
    event.index = -1;
    const last = heap.pop()!;
    if (last === event) return; // it was the last one
    // `last` fills the hole: it may belong above it (it came from another subtree) or below it.
    if (index > 0 && before(last, heap[(index - 1) >> 1]!)) this.siftUp(last, index);
    else this.siftDown(last, index);
  }

  /** Places `event` at `index` or above, moving larger parents down. */
  private siftUp(event: SimEvent, index: number): void {
    const heap = this.heap;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (before(parent, event)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = event;
    event.index = index;
  }

  /** Places `event` at `index` or below, moving smaller children up. */
  private siftDown(event: SimEvent, index: number): void {
    const heap = this.heap;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      let childEvent = heap[left]!;
      if (right < length) {
        const rightEvent = heap[right]!;
        if (before(rightEvent, childEvent)) {
          child = right;
          childEvent = rightEvent;
        }
      }
      if (before(event, childEvent)) break;
      heap[index] = childEvent;
      childEvent.index = index;
      index = child;
    }
    heap[index] = event;
    event.index = index;
  }

  /** A copy of the queued events, in heap order (not sorted). */
  toArray(): SimEvent[] {
    return this.heap.slice();
  }

  clear(): void {
    for (const event of this.heap) event.index = -1;
    this.heap.length = 0;
  }
}
