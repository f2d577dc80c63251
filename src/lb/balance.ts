// Server selection. `balance roundrobin`: each server in turn according to its weight; DOWN servers leave the
// rotation and rejoin when UP; backup servers are used only when no active server is UP. The weighted sequence
// is the smooth interleaving (s0 s1 s2 s0 ... for equal weights; a weight-2 server gets every other pick among
// three); HAProxy's fwrr trees give the same proportions and interleaving for the small weights used here.
// `first`: the first UP server. `leastconn`: fewest current sessions (ties by order). `source`: hash of the
// client address.

export interface Balanced {
  readonly weight: number;
  readonly backup: boolean;
  /** In rotation (UP, not disabled). */
  available(): boolean;
  /** Current sessions (leastconn). */
  readonly sessions: number;
}

export class Balancer<S extends Balanced> {
  private readonly current: number[];

  constructor(
    readonly algorithm: 'roundrobin' | 'leastconn' | 'first' | 'source',
    readonly servers: readonly S[],
  ) {
    this.current = servers.map(() => 0);
  }

  /** The server for a new connection (excluding `exclude` if another is available), or null if none is usable. */
  pick(clientKey: number, exclude: S | null = null): S | null {
    let candidates = this.eligible(false, exclude);
    if (candidates.length === 0) candidates = this.eligible(true, exclude);
    if (candidates.length === 0 && exclude !== null) return this.pick(clientKey, null);
    if (candidates.length === 0) return null;
    switch (this.algorithm) {
      case 'first':
        return this.servers[candidates[0]!]!;
      case 'leastconn': {
        let best = candidates[0]!;
        for (const i of candidates) if (this.servers[i]!.sessions < this.servers[best]!.sessions) best = i;
        return this.servers[best]!;
      }
      case 'source':
        return this.servers[candidates[clientKey % candidates.length]!]!;
      case 'roundrobin': {
        let total = 0;
        let best = -1;
        for (const i of candidates) {
          const w = this.servers[i]!.weight;
          total += w;
          this.current[i]! += w;
          if (best < 0 || this.current[i]! > this.current[best]!) best = i;
        }
        this.current[best]! -= total;
        return this.servers[best]!;
      }
    }
  }

  private eligible(backup: boolean, exclude: S | null): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.servers.length; i++) {
      const s = this.servers[i]!;
      if (s.backup === backup && s.weight > 0 && s.available() && s !== exclude) out.push(i);
    }
    return out;
  }
}
