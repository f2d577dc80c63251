// The engine's priority queue: a binary min-heap of events ordered by (timeUs, seq).
// `seq` is the insertion sequence, so two events at the same instant run in the order they were scheduled.
// Cancellation is lazy: a cancelled event stays in the heap with `fn === null` and is skipped when popped.

export type EventFn = (arg: unknown) => void;

export interface SimEvent {
  readonly timeUs: number;
  readonly seq: number;
  fn: EventFn | null;
  arg: unknown;
}

export class EventQueue {
  private readonly heap: SimEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(event: SimEvent): void {
    const heap = this.heap;
    let index = heap.length;
    heap.push(event);
    // Sift up.
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.timeUs < event.timeUs || (parent.timeUs === event.timeUs && parent.seq < event.seq)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = event;
  }

  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  pop(): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    // Sift `last` down from the root.
    const length = heap.length;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      let childEvent = heap[left]!;
      if (right < length) {
        const rightEvent = heap[right]!;
        if (rightEvent.timeUs < childEvent.timeUs || (rightEvent.timeUs === childEvent.timeUs && rightEvent.seq < childEvent.seq)) {
          child = right;
          childEvent = rightEvent;
        }
      }
      if (last.timeUs < childEvent.timeUs || (last.timeUs === childEvent.timeUs && last.seq < childEvent.seq)) break;
      heap[index] = childEvent;
      index = child;
    }
    heap[index] = last;
    return top;
  }

  /** A copy of the queued events, in heap order (not sorted). */
  toArray(): SimEvent[] {
    return this.heap.slice();
  }

  clear(): void {
    this.heap.length = 0;
  }
}
