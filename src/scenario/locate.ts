// Maps a path in a scenario document (`['spec', 'faults', 0, 'at']`) to the line and column of its YAML node,
// using the `yaml` library's CST ranges and LineCounter.
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './diagnostics';

export interface Position {
  readonly line: number;
  readonly col: number;
}

export class Locator {
  constructor(
    private readonly doc: Document.Parsed | null,
    private readonly lineCounter: LineCounter,
  ) {}

  /**
   * The position of the node at `path`; with `atKey`, of the key of its last segment (for unknown fields).
   * A path that leaves the document (a missing field) points at the deepest node that exists, at its key when
   * it has one, so "required field missing" lands on the mapping that lacks it.
   */
  locate(path: readonly PathSegment[], atKey = false): Position {
    const doc = this.doc;
    if (doc === null || doc.contents === null) return { line: 1, col: 1 };
    let node: unknown = doc.contents;
    let keyNode: Node | null = null;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      let next: unknown = undefined;
      let nextKey: Node | null = null;
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const k = isScalar(pair.key) ? pair.key.value : pair.key;
          if (String(k) === String(seg)) {
            next = pair.value ?? pair.key;
            nextKey = pair.key as Node;
            break;
          }
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
      }
      if (next === undefined || next === null) return this.pos(keyNode ?? (node as Node));
      const last = i === path.length - 1;
      if (last && atKey && nextKey !== null) return this.pos(nextKey);
      node = next;
      keyNode = nextKey;
    }
    return this.pos(node as Node);
  }

  private pos(node: Node | null | undefined): Position {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, col: 1 };
    return this.lineCounter.linePos(offset);
  }
}
