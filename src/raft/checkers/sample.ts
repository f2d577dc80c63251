// One member as seen in one check: read once, shared by every property checker (no allocation per check).
import type { RaftLogView, RaftStatus } from '../types';
import type { RaftMemberView } from './view';

export class MemberSample {
  /** null while the member is down. */
  status: RaftStatus | null = null;
  /** The in-memory log; null while down. */
  log: RaftLogView | null = null;
  durable: RaftLogView | null = null;

  constructor(
    /** Position in RaftClusterView.members: checkers keep per-member state in arrays indexed by it. */
    readonly pos: number,
    readonly member: RaftMemberView,
  ) {}

  read(): void {
    const node = this.member.node();
    if (node === null) {
      this.status = null;
      this.log = null;
    } else {
      this.status = node.status();
      this.log = node.log();
    }
    this.durable = this.member.durableLog();
  }
}
