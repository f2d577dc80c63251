// Histories for the linearizability checker: operations with call and return times, as porcupine's Operation.
//
// An operation's interval [callUs, returnUs] is closed: two operations that touch at an instant are concurrent
// (porcupine interprets intervals the same way, so clocks that return equal readings never create false
// orderings). An operation whose outcome is unknown (a write that timed out, a request whose connection broke
// after it was sent) may or may not have taken effect: it gets returnUs = UNKNOWN_RETURN_US (+infinity) and an
// output the model accepts whatever the state, so the search may place it anywhere after its call -- including
// after every other operation, which is the same as "it never happened".

/** Return time of an operation whose outcome is unknown. */
export const UNKNOWN_RETURN_US = Number.POSITIVE_INFINITY;

export interface Operation<I, O> {
  /** The client (process) that issued it; informational (reports, visualisation). */
  readonly clientId: number;
  readonly input: I;
  readonly output: O;
  /** Invocation time. */
  readonly callUs: number;
  /** Response time; UNKNOWN_RETURN_US when the outcome is unknown. */
  readonly returnUs: number;
  /** Caller's tag (e.g. its index in the recorded history) carried into reports. */
  readonly tag?: number | string;
}

/** One event of an event-ordered history (porcupine's Event): only the relative order of calls and returns counts. */
export type HistoryEvent<I, O> =
  | { readonly kind: 'call'; readonly clientId: number; readonly id: number; readonly input: I }
  | { readonly kind: 'return'; readonly clientId: number; readonly id: number; readonly output: O };

/**
 * Turns an event-ordered history into operations, using each event's position as its time. Calls without a
 * matching return get `pendingOutput` and return at +infinity (unknown outcome).
 */
export function operationsFromEvents<I, O>(events: ReadonlyArray<HistoryEvent<I, O>>, pendingOutput: O): Array<Operation<I, O>> {
  const calls = new Map<number, { clientId: number; input: I; callUs: number }>();
  const done = new Map<number, { output: O; returnUs: number }>();
  const order: number[] = [];
  events.forEach((event, position) => {
    if (event.kind === 'call') {
      if (calls.has(event.id)) throw new Error(`history event #${position}: operation id ${event.id} is called twice`);
      calls.set(event.id, { clientId: event.clientId, input: event.input, callUs: position });
      order.push(event.id);
      return;
    }
    if (!calls.has(event.id)) throw new Error(`history event #${position}: return of operation id ${event.id} before its call`);
    if (done.has(event.id)) throw new Error(`history event #${position}: operation id ${event.id} returns twice`);
    done.set(event.id, { output: event.output, returnUs: position });
  });
  return order.map((id) => {
    const call = calls.get(id)!;
    const ret = done.get(id);
    return {
      clientId: call.clientId,
      input: call.input,
      output: ret ? ret.output : pendingOutput,
      callUs: call.callUs,
      returnUs: ret ? ret.returnUs : UNKNOWN_RETURN_US,
      tag: id,
    };
  });
}

/** Checks the operations are well formed; returns the problems found (empty when fine). */
export function validateHistory(ops: ReadonlyArray<Operation<unknown, unknown>>): string[] {
  const problems: string[] = [];
  ops.forEach((op, i) => {
    if (!Number.isFinite(op.callUs)) problems.push(`operation #${i}: call time must be finite, got ${op.callUs}`);
    if (!(op.returnUs >= op.callUs)) problems.push(`operation #${i}: returns (${op.returnUs}) before its call (${op.callUs})`);
  });
  return problems;
}
