// Trace kinds of the load balancers. A timeline needs the server state changes with HAProxy's own log line,
// "no server available", and (optionally) every check and every session routed.

declare module '../sim/trace' {
  interface TraceEventMap {
    /** A backend server changed state; `line` is HAProxy's log line ("Server be/srv is DOWN, reason: ..."). */
    'lb.server': { lb: string; backend: string; server: string; state: 'UP' | 'DOWN'; line: string };
    /** The backend lost its last server: "backend apiserverbackend has no server available!". */
    'lb.backend': { lb: string; backend: string; available: boolean; line: string };
    /** One health check finished (hot: only when wanted). `status` is HAProxy's (L4OK, L7STS, L4CON ...). */
    'lb.check': { lb: string; server: string; passed: boolean; status: string; code: number; durationMs: number; health: string };
    /** A client connection: routed to a server, retried, redispatched, or refused for want of a server. */
    'lb.session': { lb: string; event: 'routed' | 'retry' | 'redispatch' | 'no-server' | 'failed' | 'killed'; server: string; client: string };
    /** keepalived: this instance's VRRP state changed (the VIP follows the MASTER). */
    'lb.vrrp': { lb: string; state: 'MASTER' | 'BACKUP' | 'FAULT'; vip: string; priority: number; line: string };
  }
}

export {};
