// Deadlines of pending requests in one timer: a min-heap ordered by deadline with lazy deletion (a finished item
// stays until it surfaces), and one process timer armed for the earliest live deadline. Cheaper than a timer per
// request: at 100 writes/s a member would otherwise create and cancel 100 timers a second, each 7 s long.
import type { ProcessContext, Timer } from '../../sim/process';

export interface Deadline {
  /** Host monotonic time at which the item expires. */
  readonly deadlineUs: number;
  /** True once the item finished some other way: it is skipped. */
  isDone(): boolean;
  /** Called once, at the deadline, if the item has not finished. */
  expire(): void;
}

export class DeadlineQueue {
  private readonly heap: Deadline[] = [];
  private timer: Timer | null = null;
  private armedForUs = Number.POSITIVE_INFINITY;

  constructor(private readonly ctx: ProcessContext) {}

  get size(): number {
    return this.heap.length;
  }

  add(item: Deadline): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.deadlineUs <= item.deadlineUs) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = item;
    if (item.deadlineUs < this.armedForUs) this.arm();
  }

  private pop(): Deadline {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && heap[right]!.deadlineUs < heap[left]!.deadlineUs ? right : left;
      if (heap[child]!.deadlineUs >= last.deadlineUs) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  private arm(): void {
    const heap = this.heap;
    while (heap.length > 0 && heap[0]!.isDone()) this.pop();
    this.ctx.clearTimer(this.timer);
    this.timer = null;
    if (heap.length === 0) {
      this.armedForUs = Number.POSITIVE_INFINITY;
      return;
    }
    this.armedForUs = heap[0]!.deadlineUs;
    this.timer = this.ctx.setTimer(Math.max(0, this.armedForUs - this.ctx.monoUs()), this.fire);
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.armedForUs = Number.POSITIVE_INFINITY;
    const nowUs = this.ctx.monoUs();
    const heap = this.heap;
    while (heap.length > 0 && heap[0]!.deadlineUs <= nowUs) {
      const item = this.pop();
      if (!item.isDone()) item.expire();
    }
    this.arm();
  };
}
