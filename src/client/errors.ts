// Errors as client-go reports them. Two kinds, as in Go:
// - a *StatusError: the apiserver answered with a metav1.Status (err.Error() is the status message);
// - a *url.Error: no answer (`Get "https://10.0.0.100:6443/api/v1/nodes?timeout=10s": dial tcp 10.0.0.100:6443:
//   connect: connection refused`), with Go's net/http and x/net/http2 texts for each way a connection fails.
// Predicates mirror apimachinery's apierrors.IsNotFound / IsConflict / ... and client-go's retry classification.
import type { RpcFailure } from '../sim/rpc';
import type { Endpoint } from '../sim/network';
import type { Status, StatusReason } from '../apiserver/objects';
import type { ServerAddress } from '../apiserver/http';

/** What made a request fail below HTTP. */
export type TransportCause =
  /** The caller's context (or client-go's rest.Config.Timeout, which it applies as a context) expired. */
  | 'deadline'
  /** The deadline passed while dialling: Go reports the dial's i/o timeout. */
  | 'dial-timeout'
  | 'refused'
  /** The connection was closed before the TLS handshake completed (an LB with no usable backend closes it). */
  | 'eof'
  /** An established HTTP/2 connection ended with the request in flight. */
  | 'unexpected-eof'
  | 'reset'
  /** The kernel gave up retransmitting (ETIMEDOUT). */
  | 'timed-out'
  /** HTTP/2 keepalive: the PING went unanswered (client-go: ReadIdleTimeout 30 s + PingTimeout 15 s). */
  | 'connection-lost'
  /** The server sent GOAWAY, then closed the connection with this request in flight. */
  | 'goaway-closed'
  /** This client closed its own connection. */
  | 'closed'
  /** client-go's rate limiter could not grant a token before the deadline. */
  | 'rate-limited';

export type ApiError =
  | {
      readonly kind: 'status';
      readonly code: number;
      readonly status: Status;
      /** err.Error(): the status message. */
      readonly message: string;
    }
  | {
      readonly kind: 'transport';
      readonly cause: TransportCause;
      /** Whether the request had been written to a connection (it may have been executed). */
      readonly sent: boolean;
      /** The url.Error's Err text, as kubectl prints after "Unable to connect to the server: ". */
      readonly inner: string;
      /** The request URL. */
      readonly url: string;
      /** err.Error(): `<Op> "<url>": <inner>`, plus client-go's " - error from a previous attempt: ..." if retried. */
      readonly message: string;
    };

export type ApiResult<T> = { readonly ok: true; readonly code: number; readonly object: T } | { readonly ok: false; readonly error: ApiError };

/** The reason of a status error, '' for unknown reasons and for transport errors (apierrors.ReasonForError). */
export function reasonForError(error: ApiError): StatusReason {
  return error.kind === 'status' ? (error.status.reason ?? '') : '';
}

export function isNotFound(error: ApiError): boolean {
  return reasonForError(error) === 'NotFound';
}
export function isConflict(error: ApiError): boolean {
  return reasonForError(error) === 'Conflict';
}
export function isAlreadyExists(error: ApiError): boolean {
  return reasonForError(error) === 'AlreadyExists';
}
export function isInvalid(error: ApiError): boolean {
  return reasonForError(error) === 'Invalid';
}
/** apierrors.IsTimeout: reason Timeout (504). */
export function isTimeout(error: ApiError): boolean {
  return reasonForError(error) === 'Timeout';
}
export function isServerTimeout(error: ApiError): boolean {
  return reasonForError(error) === 'ServerTimeout';
}

/** The inner error text of a failed attempt, as Go prints it. `server` is the dialled address. */
export function transportInnerText(cause: TransportCause, server: ServerAddress, local: Endpoint | undefined): string {
  const remote = `${server.address}:${server.port}`;
  const conn = local === undefined ? remote : `${local.address}:${local.port}->${remote}`;
  switch (cause) {
    case 'deadline':
      return 'context deadline exceeded';
    case 'dial-timeout':
      return `dial tcp ${remote}: i/o timeout`;
    case 'refused':
      return `dial tcp ${remote}: connect: connection refused`;
    case 'eof':
      return 'EOF';
    case 'unexpected-eof':
      return 'unexpected EOF';
    case 'reset':
      return `read tcp ${conn}: read: connection reset by peer`;
    case 'timed-out':
      return `read tcp ${conn}: read: connection timed out`;
    case 'connection-lost':
      return 'http2: client connection lost';
    case 'goaway-closed':
      return 'http2: server sent GOAWAY and closed the connection; LastStreamID=1, ErrCode=NO_ERROR, debug=""';
    case 'closed':
      return 'http2: client conn is closed';
    case 'rate-limited':
      return 'client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline';
  }
}

/** Maps an rpc failure to the transport cause Go would report. */
export function causeOfFailure(failure: RpcFailure): TransportCause {
  switch (failure.kind) {
    case 'deadline':
      return failure.sent ? 'deadline' : 'dial-timeout';
    case 'connect':
      switch (failure.reason) {
        case 'refused':
          return 'refused';
        case 'timeout':
        case 'unreachable':
          return 'dial-timeout';
        case 'reset':
          return 'reset';
        case 'eof':
          return 'eof';
      }
      break;
    case 'connection':
      switch (failure.reason) {
        case 'eof':
          if (failure.goAway) return 'goaway-closed';
          return failure.answered === false ? 'eof' : 'unexpected-eof';
        case 'reset':
          return 'reset';
        case 'timeout':
          return 'timed-out';
        case 'refused':
          return 'refused';
        case 'keepalive-timeout':
          return 'connection-lost';
        case 'closed':
          return 'closed';
      }
  }
  throw new Error(`unmapped rpc failure ${JSON.stringify(failure)}`);
}

/**
 * client-go's isErrRetryableFunc for GETs: connection reset, probable EOF (EOF, unexpected EOF, GOAWAY-and-closed,
 * use of closed connection) or "http2: client connection lost".
 */
export function isRetryableCause(cause: TransportCause): boolean {
  switch (cause) {
    case 'eof':
    case 'unexpected-eof':
    case 'reset':
    case 'goaway-closed':
    case 'connection-lost':
      return true;
    case 'deadline':
    case 'dial-timeout':
    case 'refused':
    case 'timed-out':
    case 'closed':
    case 'rate-limited':
      return false;
  }
}

/** apierrors.NewGenericServerResponse for a non-Status error body (e.g. a health endpoint's 500 text). */
export function genericServerResponse(code: number, verb: string, serverMessage: string, retryAfterSeconds: number): Status {
  let reason: StatusReason = '';
  let message = `the server responded with the status code ${code} but did not return more information`;
  switch (code) {
    case 409:
      reason = verb === 'POST' ? 'AlreadyExists' : 'Conflict';
      message = 'the server reported a conflict';
      break;
    case 404:
      reason = 'NotFound';
      message = 'the server could not find the requested resource';
      break;
    case 400:
      reason = 'BadRequest';
      message = 'the server rejected our request for an unknown reason';
      break;
    case 405:
      reason = 'MethodNotAllowed';
      message = 'the server does not allow this method on the requested resource';
      break;
    case 422:
      reason = 'Invalid';
      message = 'the server rejected our request due to an error in our request';
      break;
    case 503:
      reason = 'ServiceUnavailable';
      message = 'the server is currently unable to handle the request';
      break;
    case 504:
      reason = 'Timeout';
      message = 'the server was unable to return a response in the time allotted, but may still be processing the request';
      break;
    case 429:
      reason = 'TooManyRequests';
      message = 'the server has received too many requests and has asked us to try again later';
      break;
    default:
      if (code >= 500) {
        reason = 'InternalError';
        message = `an error on the server (${goQuote(serverMessage)}) has prevented the request from succeeding`;
      }
  }
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason,
    message,
    details: { causes: [{ reason: 'UnexpectedServerResponse', message: serverMessage }], ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}) },
  };
}

/** Go's %q: double-quoted with \n, \t, \" and \\ escaped (enough for the texts the simulation produces). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
