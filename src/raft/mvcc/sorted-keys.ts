// A sorted set of keys with range scans, for the MVCC key index. Keys compare as JavaScript strings (UTF-16 code
// units), which is etcd's byte order for the ASCII keys Kubernetes writes (`/registry/pods/default/web-0`).
// Insertion is a binary search plus an array splice: O(log n + n) with a tiny constant, fine for the tens of
// thousands of keys a simulated control plane holds.

export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Index of the first key >= `key`. */
  lowerBound(key: string): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(key: string): boolean {
    const i = this.lowerBound(key);
    return i < this.keys.length && this.keys[i] === key;
  }

  /** Adds `key`; returns false if it was already present. */
  add(key: string): boolean {
    const i = this.lowerBound(key);
    if (i < this.keys.length && this.keys[i] === key) return false;
    this.keys.splice(i, 0, key);
    return true;
  }

  /** Removes `key`; returns false if it was absent. */
  delete(key: string): boolean {
    const i = this.lowerBound(key);
    if (i >= this.keys.length || this.keys[i] !== key) return false;
    this.keys.splice(i, 1);
    return true;
  }

  /**
   * Calls fn for every key in [start, end) in order; `end` null means keys >= start. Stops when fn returns false.
   */
  scan(start: string, end: string | null, fn: (key: string) => boolean | void): void {
    const keys = this.keys;
    for (let i = this.lowerBound(start); i < keys.length; i++) {
      const key = keys[i]!;
      if (end !== null && key >= end) return;
      if (fn(key) === false) return;
    }
  }
}
