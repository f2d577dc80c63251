// resourcelock.Interface: what the elector needs from the object it locks on. Callback-driven: every call
// completes exactly once, through its callback, possibly synchronously (e.g. a context already done).
import type { Context } from './go-context';
import type { LeaderElectionRecord } from './record';

/** An error as client-go sees one: the text `%v` prints, and for API errors the metav1.Status reason and code. */
export interface LockError {
  /** What klog prints for the error (client-go's wording, e.g. `leases.coordination.k8s.io "x" not found`). */
  readonly message: string;
  /** metav1.StatusReason of an API error (`NotFound`, `Conflict`, `AlreadyExists`, ...); null for other errors. */
  readonly reason: string | null;
  /** HTTP status code of an API error; 0 for other errors (transport, context, local). */
  readonly code: number;
}

export type GetCallback = (err: LockError | null, record: LeaderElectionRecord | null, raw: string | null) => void;
export type DoneCallback = (err: LockError | null) => void;

export interface ResourceLock {
  /** Get returns the LeaderElectionRecord and its raw (serialised) form. */
  get(ctx: Context, cb: GetCallback): void;
  /** Create attempts to create a LeaderElectionRecord. */
  create(ctx: Context, record: LeaderElectionRecord, cb: DoneCallback): void;
  /** Update will update an existing LeaderElectionRecord. */
  update(ctx: Context, record: LeaderElectionRecord, cb: DoneCallback): void;
  /** RecordEvent records "<identity> <message>" as an event on the lock object. */
  recordEvent(message: string): void;
  identity(): string;
  /** `namespace/name`. */
  describe(): string;
}

/** errors.IsNotFound. */
export function isNotFound(err: LockError): boolean {
  return err.reason === 'NotFound';
}

/** errors.IsConflict. */
export function isConflict(err: LockError): boolean {
  return err.reason === 'Conflict';
}

/** An error that is not an API status (a context error, a transport failure, a local check). */
export function plainError(message: string): LockError {
  return { message, reason: null, code: 0 };
}
