// Property: under any interleaving of message deliveries, drops, duplicates, ticks, proposals, reads, leader
// transfers, crashes and restarts, the core violates no safety property (all checkers on after every step);
// and once the faults stop, the cluster elects a leader and every member converges on one committed log.
// The same property finds the injected bugs, so it can fail.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Network, SafetyViolationError } from './core/network';
import type { RaftBugs } from '../../src/raft/types';

type Action =
  | { readonly kind: 'deliver'; readonly pick: number }
  | { readonly kind: 'drop'; readonly pick: number }
  | { readonly kind: 'duplicate'; readonly pick: number }
  | { readonly kind: 'tick'; readonly member: number; readonly n: number }
  | { readonly kind: 'propose'; readonly member: number }
  | { readonly kind: 'read'; readonly member: number }
  | { readonly kind: 'transfer'; readonly member: number; readonly target: number }
  /** With `late`, messages in flight to and from it stay in the network (delivered after a restart, if ever). */
  | { readonly kind: 'crash'; readonly member: number; readonly late: boolean }
  | { readonly kind: 'restart'; readonly member: number }
  | { readonly kind: 'campaign'; readonly member: number }
  /** Cut the members in `side` off from the others (messages across are lost from now on). */
  | { readonly kind: 'partition'; readonly side: readonly number[] }
  | { readonly kind: 'heal' }
  /** Deliver what is in flight and what it produces (bounded). */
  | { readonly kind: 'flush' }
  /** Deliver the first n messages in flight (FIFO). */
  | { readonly kind: 'deliverN'; readonly n: number };

/**
 * Coarse schedules for hunting bugs that need several terms (Figure 8): elections, partitions, crashes and partial
 * deliveries rather than single messages.
 */
const coarseAction = (size: number): fc.Arbitrary<Action> => {
  const member = fc.integer({ min: 1, max: size });
  return fc.oneof(
    { weight: 4, arbitrary: member.map((m): Action => ({ kind: 'campaign', member: m })) },
    { weight: 4, arbitrary: member.map((m): Action => ({ kind: 'propose', member: m })) },
    { weight: 3, arbitrary: fc.subarray(Array.from({ length: size }, (_, i) => i + 1), { minLength: 1, maxLength: size - 1 }).map((side): Action => ({ kind: 'partition', side })) },
    { weight: 1, arbitrary: fc.constant<Action>({ kind: 'heal' }) },
    { weight: 2, arbitrary: fc.record({ member, late: fc.boolean() }).map((x): Action => ({ kind: 'crash', ...x })) },
    { weight: 3, arbitrary: member.map((m): Action => ({ kind: 'restart', member: m })) },
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 12 }).map((n): Action => ({ kind: 'deliverN', n })) },
    { weight: 2, arbitrary: fc.constant<Action>({ kind: 'flush' }) },
  );
};

const action = (size: number): fc.Arbitrary<Action> => {
  const member = fc.integer({ min: 1, max: size });
  const pick = fc.nat({ max: 1000 });
  return fc.oneof(
    { weight: 30, arbitrary: pick.map((p): Action => ({ kind: 'deliver', pick: p })) },
    { weight: 4, arbitrary: pick.map((p): Action => ({ kind: 'drop', pick: p })) },
    { weight: 2, arbitrary: pick.map((p): Action => ({ kind: 'duplicate', pick: p })) },
    { weight: 8, arbitrary: fc.record({ member, n: fc.integer({ min: 1, max: 12 }) }).map((x): Action => ({ kind: 'tick', ...x })) },
    { weight: 5, arbitrary: member.map((m): Action => ({ kind: 'propose', member: m })) },
    { weight: 1, arbitrary: member.map((m): Action => ({ kind: 'read', member: m })) },
    { weight: 1, arbitrary: fc.record({ member, target: member }).map((x): Action => ({ kind: 'transfer', ...x })) },
    { weight: 1, arbitrary: fc.record({ member, late: fc.boolean() }).map((x): Action => ({ kind: 'crash', ...x })) },
    { weight: 2, arbitrary: member.map((m): Action => ({ kind: 'restart', member: m })) },
    { weight: 2, arbitrary: member.map((m): Action => ({ kind: 'campaign', member: m })) },
    { weight: 2, arbitrary: fc.subarray(Array.from({ length: size }, (_, i) => i + 1), { minLength: 1, maxLength: size - 1 }).map((side): Action => ({ kind: 'partition', side })) },
    { weight: 1, arbitrary: fc.constant<Action>({ kind: 'heal' }) },
    { weight: 4, arbitrary: fc.constant<Action>({ kind: 'flush' }) },
  );
};

interface Setup {
  readonly size: number;
  readonly maxEntriesPerMsg: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly seed: number;
}

let proposals = 0;

/** Runs the actions on a manual network; throws SafetyViolationError on a violation. */
function run(setup: Setup, actions: readonly Action[], bugs?: RaftBugs): Network {
  const net = new Network({ ...setup, seed: `prop-${setup.seed}`, manual: true, maxInflightMsgs: 4, bugs });
  for (const a of actions) {
    const len = net.inflight.length;
    switch (a.kind) {
      case 'deliver':
        if (len > 0) net.deliver(a.pick % len);
        break;
      case 'drop':
        if (len > 0) net.dropAt(a.pick % len);
        break;
      case 'duplicate':
        if (len > 0) net.duplicate(a.pick % len);
        break;
      case 'tick':
        if (net.member(a.member).rawNode) net.tick(a.member, a.n);
        break;
      case 'propose':
        if (net.member(a.member).rawNode) net.propose(a.member, `p${proposals++}`);
        break;
      case 'read':
        if (net.member(a.member).rawNode) net.readIndex(a.member, `r${a.member}`);
        break;
      case 'transfer':
        if (net.member(a.member).rawNode) net.transferLeader(a.member, a.target);
        break;
      case 'crash':
        if (net.member(a.member).rawNode) net.crash(a.member, a.late);
        break;
      case 'restart':
        if (!net.member(a.member).rawNode) net.restart(a.member);
        break;
      case 'campaign':
        if (net.member(a.member).rawNode) net.campaign(a.member);
        break;
      case 'partition':
        net.recover();
        for (const x of a.side) for (const y of net.ids) if (!a.side.includes(y)) net.cut(x, y);
        break;
      case 'heal':
        net.recover();
        break;
      case 'flush':
        for (let k = 0; k < 300 && net.inflight.length > 0; k++) net.deliver(0);
        break;
      case 'deliverN':
        for (let k = 0; k < a.n && net.inflight.length > 0; k++) net.deliver(0);
        break;
      default: {
        const never: never = a;
        throw new Error(`unknown action ${JSON.stringify(never)}`);
      }
    }
  }
  return net;
}

/** Liveness after the faults: everyone up, every message delivered, ticks until one committed log everywhere. */
function heal(net: Network): void {
  net.recover();
  for (const m of net.members) if (!m.rawNode) net.restart(m.id);
  net.manual = false;
  net.deliverAll();
  for (let round = 0; round < 300; round++) {
    net.tickAll();
    const leader = net.leader();
    if (leader === null) continue;
    const want = net.logTerms(leader);
    const commit = net.node(leader).status().commit;
    if (commit === want.length && net.ids.every((id) => net.node(id).status().commit === commit && net.logTerms(id).join() === want.join())) return;
  }
  throw new Error(`no convergence after healing: ${net.ids.map((id) => JSON.stringify(net.node(id).status())).join(' ')}`);
}

const setups = fc.record({
  size: fc.constantFrom(3, 5),
  maxEntriesPerMsg: fc.constantFrom(1, 4),
  preVote: fc.boolean(),
  checkQuorum: fc.boolean(),
  seed: fc.nat(),
});

describe('Raft core under random schedules (fast-check)', () => {
  it('no safety violation under any interleaving, drops, duplicates, crashes; converges once healed', () => {
    fc.assert(
      fc.property(
        setups.chain((s) => fc.tuple(fc.constant(s), fc.array(action(s.size), { minLength: 50, maxLength: 400 }))),
        ([setup, actions]) => {
          const net = run(setup, actions);
          expect(net.violation).toBeNull();
          heal(net);
          expect(net.violation).toBeNull();
          // every member applied the same sequence (the leader's committed log)
          const leader = net.leader()!;
          const want = net.member(leader).applied.map((e) => `${e.index}@${e.term}`).join();
          for (const m of net.members) expect(m.applied.map((e) => `${e.index}@${e.term}`).join()).toBe(want);
        },
      ),
      { numRuns: 300, seed: 20240521 },
    );
  });

  // commitPreviousTermByCounting (Figure 8: five members, four terms, two precisely timed crashes) and volatileVote
  // (a vote request delivered after the voter restarted within the same term) are beyond what random schedules hit
  // in a few thousand runs; the deterministic sequences in test/raft/checkers/bugs.test.ts catch them.
  const bugCases: [string, RaftBugs, number][] = [
    ['voteTwicePerTerm', { voteTwicePerTerm: true }, 300],
    ['acceptStaleTermAppend', { acceptStaleTermAppend: true }, 600],
    ['truncateWithoutConflict', { truncateWithoutConflict: true }, 600],
  ];
  for (const [name, bugs, numRuns] of bugCases) {
    it(`finds the injected bug ${name} (a safety violation)`, () => {
      const result = fc.check(
        fc.property(
          setups.chain((s) =>
            fc.tuple(fc.constant(s), fc.oneof(fc.array(action(s.size), { minLength: 50, maxLength: 400 }), fc.array(coarseAction(s.size), { minLength: 10, maxLength: 80 }))),
          ),
          ([setup, actions]) => {
            try {
              run(setup, actions, bugs);
            } catch (e) {
              if (e instanceof SafetyViolationError) return false;
              throw e;
            }
            return true;
          },
        ),
        { numRuns, seed: 7, endOnFailure: true },
      );
      expect(result.failed, `${name} not found in ${numRuns} runs`).toBe(true);
    });
  }
});
