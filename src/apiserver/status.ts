// metav1.Status values for API errors, with the exact messages of apimachinery pkg/api/errors (NewNotFound,
// NewAlreadyExists, NewConflict, NewInvalid, NewTimeoutError, NewInternalError, ...) and the apiserver's
// ErrorToAPIStatus for errors that are not API statuses (etcd errors pass through as 500 with their own text).
import type { ResourceType, Status, StatusDetails, StatusReason } from './objects';

/** storage.OptimisticLockErrorMsg, the cause of every 409 Conflict on update. */
export const OPTIMISTIC_LOCK_ERROR_MSG = 'the object has been modified; please apply your changes to the latest version and try again';

function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): Status {
  return details === undefined
    ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }
    : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

/** Go's %q for the names we use (no escapes needed beyond quotes and backslashes). */
function q(s: string): string {
  return JSON.stringify(s);
}

/** 404: `leases.coordination.k8s.io "kube-scheduler" not found`. */
export function notFound(resource: ResourceType, name: string): Status {
  return failure(404, 'NotFound', `${resource.qualified} ${q(name)} not found`, { name, group: resource.group, kind: resource.resource });
}

/** 409: `leases.coordination.k8s.io "kube-scheduler" already exists`. */
export function alreadyExists(resource: ResourceType, name: string): Status {
  return failure(409, 'AlreadyExists', `${resource.qualified} ${q(name)} already exists`, { name, group: resource.group, kind: resource.resource });
}

/** 409: `Operation cannot be fulfilled on leases.coordination.k8s.io "x": <cause>`; qualified may be "pods/binding". */
export function conflict(qualified: string, group: string, kind: string, name: string, cause: string = OPTIMISTIC_LOCK_ERROR_MSG): Status {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified} ${q(name)}: ${cause}`, { name, group, kind });
}

export function resourceConflict(resource: ResourceType, name: string, cause: string = OPTIMISTIC_LOCK_ERROR_MSG): Status {
  return conflict(resource.qualified, resource.group, resource.resource, name, cause);
}

export interface FieldError {
  readonly field: string;
  /** field.ErrorType: "FieldValueInvalid", "FieldValueRequired" ... */
  readonly type: string;
  /** ErrorBody(): `Invalid value: 0: must be specified for an update`. */
  readonly body: string;
}

/**
 * 422: `<kind> "<name>" is invalid: <field>: <body>` (field.ErrorList.ToAggregate joins several with ", " inside
 * brackets). The registry passes GroupKind{Group, Kind: resource plural}, so the kind reads "leases.coordination.k8s.io".
 */
export function invalid(groupKind: string, group: string, kind: string, name: string, errors: readonly FieldError[]): Status {
  const parts = errors.map((e) => `${e.field}: ${e.body}`);
  const aggregate = parts.length === 1 ? parts[0]! : `[${parts.join(', ')}]`;
  return failure(422, 'Invalid', `${groupKind} ${q(name)} is invalid: ${aggregate}`, {
    name,
    group,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.body, field: e.field })),
  });
}

/** The registry's answer to an update without metadata.resourceVersion when the strategy forbids unconditional updates. */
export function resourceVersionRequired(resource: ResourceType, name: string): Status {
  // field.Invalid(path, int64(0), "must be specified for an update"): simple types print with %v.
  return invalid(resource.qualified, resource.group, resource.resource, name, [
    { field: 'metadata.resourceVersion', type: 'FieldValueInvalid', body: 'Invalid value: 0: must be specified for an update' },
  ]);
}

/** 504 Timeout: `Timeout: <message>`. */
export function timeoutError(message: string): Status {
  return failure(504, 'Timeout', `Timeout: ${message}`, {});
}

/** 500 ServerTimeout: `The get operation against leases.coordination.k8s.io could not be completed at this time, please try again.` */
export function serverTimeout(resource: ResourceType, operation: string, retryAfterSeconds: number): Status {
  return failure(500, 'ServerTimeout', `The ${operation} operation against ${resource.qualified} could not be completed at this time, please try again.`, {
    name: operation,
    group: resource.group,
    kind: resource.resource,
    retryAfterSeconds,
  });
}

/** 500 InternalError: `Internal error occurred: <err>`. */
export function internalError(err: string): Status {
  return failure(500, 'InternalError', `Internal error occurred: ${err}`, { causes: [{ message: err }] });
}

/** 400 BadRequest with the given message. */
export function badRequest(message: string): Status {
  return failure(400, 'BadRequest', message);
}

/** 405: `<verb> is not supported on resources of kind "<qualified>"`. */
export function methodNotSupported(resource: ResourceType, action: string): Status {
  return failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind ${q(resource.qualified)}`, { group: resource.group, kind: resource.resource });
}

/** 410 Expired/Gone for a watch or list from a compacted resourceVersion: `too old resource version: 5 (120)`. */
export function resourceExpired(message: string): Status {
  return failure(410, 'Expired', message);
}

/** 503 ServiceUnavailable. */
export function serviceUnavailable(message: string): Status {
  return failure(503, 'ServiceUnavailable', message);
}

/** ErrorToAPIStatus for an error that is not an API status (an etcd error): 500, reason unknown, the error's text. */
export function unknownError(message: string): Status {
  return failure(500, '', message);
}

/** The deleted object's Status for a DELETE that has no object to return. */
export function success(): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
}

// ------------------------------------------------------------------------------------------------ predicates

/** apierrors.ReasonForError / IsNotFound ... on a Status. */
export function isStatusReason(status: Status | null | undefined, reason: StatusReason): boolean {
  return status !== null && status !== undefined && status.reason === reason;
}
