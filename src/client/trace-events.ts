// Trace kinds of the API clients: requests that failed, as the client saw them (the error text client-go returns),
// so a timeline can show what a component experienced while the LB or an apiserver failed.

declare module '../sim/trace' {
  interface TraceEventMap {
    /** A request that failed for its caller (after client-go's retries): a status error or a transport error. */
    'client.error': { host: string; proc: string; userAgent: string; verb: string; code: number; message: string };
  }
}

export {};
