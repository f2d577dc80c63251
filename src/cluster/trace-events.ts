// Trace kinds of the cluster's own observers.
declare module '../sim/trace' {
  interface TraceEventMap {
    /** The API availability probe (through the load balancer) changed its verdict. */
    'cluster.api': { available: boolean; detail: string };
    /** A process whose first start the scenario delays (topology.startDelays) begins its work. */
    'cluster.start-delay': { host: string; proc: string; delayUs: number };
  }
}

export {};
