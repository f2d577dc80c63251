// Trace kinds of the kube-apiserver tier. A timeline needs: when an apiserver becomes ready or not (and why),
// its shutdown phases, GOAWAYs (connection rebalancing) and, optionally, every request it served.

declare module '../sim/trace' {
  interface TraceEventMap {
    /** Process lifecycle: started, ready (post-start hooks done), shutdown-initiated, listener-closed, drained. */
    'apiserver.lifecycle': { host: string; phase: 'started' | 'ready' | 'shutdown-initiated' | 'listener-closed' | 'drained' };
    /**
     * A health endpoint's answer changed (200 <-> 500, or the set of failed checks). `failed` lists
     * `name: error` for each failed check, as the apiserver logs them (the response withholds the reasons).
     */
    'apiserver.health': { host: string; endpoint: 'healthz' | 'livez' | 'readyz'; code: number; failed: string[] };
    /** One request served (hot: emitted only when a sink wants it). */
    'apiserver.request': { host: string; verb: string; path: string; code: number; userAgent: string; latencyUs: number };
    /** A GOAWAY sent on a connection (--goaway-chance, or shutdown). */
    'apiserver.goaway': { host: string; reason: 'goaway-chance' | 'shutdown'; remote: string };
  }
}

export {};
