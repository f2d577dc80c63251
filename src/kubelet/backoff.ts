// client-go util/flowcontrol.Backoff as the kubelet uses it for CrashLoopBackOff: per container, 10 s initial,
// doubling to MaxContainerBackOff 300 s; an entry is reset ("expired") once more than 2 x max = 10 minutes passed
// between its last update (the last restart) and the container's next exit.
export interface BackoffEntry {
  backoffUs: number;
  lastUpdateMonoUs: number;
}

export class Backoff {
  private readonly entries = new Map<string, BackoffEntry>();

  constructor(
    readonly initialUs: number,
    readonly maxUs: number,
  ) {
    if (!(initialUs > 0) || !(maxUs >= initialUs)) throw new RangeError(`backoff needs 0 < initial <= max, got ${initialUs}µs, ${maxUs}µs`);
  }

  /** The current backoff of `id` (0 if none). */
  get(id: string): number {
    return this.entries.get(id)?.backoffUs ?? 0;
  }

  /** Next(id, eventTime): move the backoff to its next mark (initial if new or expired). `nowMonoUs` is lastUpdate. */
  next(id: string, eventMonoUs: number, nowMonoUs: number): void {
    const entry = this.entries.get(id);
    if (entry === undefined || this.hasExpired(eventMonoUs, entry.lastUpdateMonoUs)) {
      this.entries.set(id, { backoffUs: this.initialUs, lastUpdateMonoUs: nowMonoUs });
      return;
    }
    entry.backoffUs = Math.min(entry.backoffUs * 2, this.maxUs);
    entry.lastUpdateMonoUs = nowMonoUs;
  }

  /** IsInBackOffSince(id, eventTime): the time since the event is still within the current backoff window. */
  isInBackOffSince(id: string, eventMonoUs: number, nowMonoUs: number): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    if (this.hasExpired(eventMonoUs, entry.lastUpdateMonoUs)) return false;
    return nowMonoUs - eventMonoUs < entry.backoffUs;
  }

  reset(id: string): void {
    this.entries.delete(id);
  }

  private hasExpired(eventMonoUs: number, lastUpdateMonoUs: number): boolean {
    return eventMonoUs - lastUpdateMonoUs > 2 * this.maxUs;
  }
}
