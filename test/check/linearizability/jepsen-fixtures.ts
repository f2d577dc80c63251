// Reads the Jepsen-format histories ported from porcupine's and Knossos's test suites
// (fixtures/*.txt: "## <name> <linearizable|illegal>" blocks of "<process> <type> <f> <value>" lines).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { operationsFromEvents, type HistoryEvent, type Operation } from '../../../src/check/linearizability/history';
import type { RegisterInput, RegisterOutput } from '../../../src/check/linearizability/register-model';

export interface JepsenHistory {
  readonly name: string;
  readonly expected: 'linearizable' | 'illegal';
  readonly lines: ReadonlyArray<{ readonly process: number; readonly type: string; readonly f: string; readonly value: string }>;
}

export function readFixture(file: string): JepsenHistory[] {
  const text = readFileSync(fileURLToPath(new URL(`fixtures/${file}`, import.meta.url)), 'utf8');
  const out: Array<{ name: string; expected: 'linearizable' | 'illegal'; lines: JepsenHistory['lines'][number][] }> = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || (line.startsWith('#') && !line.startsWith('## '))) continue;
    if (line.startsWith('## ')) {
      const [name, expected] = line.slice(3).split(' ');
      if (expected !== 'linearizable' && expected !== 'illegal') throw new Error(`bad fixture header: ${line}`);
      out.push({ name: name!, expected, lines: [] });
      continue;
    }
    const m = /^(\d+) (\w+) (\w+) (.*)$/.exec(line);
    if (!m) throw new Error(`bad fixture line: ${line}`);
    out[out.length - 1]!.lines.push({ process: Number(m[1]), type: m[2]!, f: m[3]!, value: m[4]! });
  }
  return out;
}

function parseValue(value: string): number | null {
  return value === 'nil' ? null : Number(value);
}

function parsePair(value: string): [number, number] {
  const m = /^\[(-?\d+) (-?\d+)\]$/.exec(value);
  if (!m) throw new Error(`bad cas value ${value}`);
  return [Number(m[1]), Number(m[2])];
}

/**
 * Converts a Jepsen history to operations.
 * - porcupine semantics (its etcd logs): `fail cas` is a completed CAS whose compare failed; `fail read :timed-out`
 *   and `info` are unknown outcomes.
 * - Knossos semantics: `fail` means the operation did not happen (it is removed); `info` is an unknown outcome;
 *   a read that returned nil is a read of unknown value (Knossos's models accept it in any state).
 * Operations never completed return at +infinity (unknown outcome).
 */
export function toOperations(history: JepsenHistory, semantics: 'porcupine' | 'knossos'): Array<Operation<RegisterInput, RegisterOutput>> {
  const events: Array<HistoryEvent<RegisterInput, RegisterOutput>> = [];
  const pending = new Map<number, { id: number; input: RegisterInput }>();
  const removed = new Set<number>();
  let nextId = 0;
  for (const line of history.lines) {
    if (line.type === 'invoke') {
      const id = nextId++;
      const input: RegisterInput =
        line.f === 'read' ? { f: 'read' } : line.f === 'write' ? { f: 'write', value: Number(line.value) } : ((): RegisterInput => {
          const [from, to] = parsePair(line.value);
          return { f: 'cas', from, to };
        })();
      pending.set(line.process, { id, input });
      events.push({ kind: 'call', clientId: line.process, id, input });
      continue;
    }
    const call = pending.get(line.process);
    if (call === undefined) throw new Error(`${history.name}: ${line.type} for process ${line.process} without invoke`);
    if (line.type === 'info') {
      pending.delete(line.process); // stays without a return: unknown outcome
      continue;
    }
    pending.delete(line.process);
    let output: RegisterOutput;
    if (line.type === 'ok') {
      const readValue = call.input.f === 'read' ? parseValue(line.value) : null;
      // Knossos: "We don't know what the read was" -- a nil read matches any state.
      output = call.input.f === 'read' ? (semantics === 'knossos' && readValue === null ? { kind: 'unknown' } : { kind: 'read', value: readValue }) : call.input.f === 'write' ? { kind: 'write' } : { kind: 'cas', ok: true };
    } else if (line.type === 'fail') {
      if (semantics === 'knossos') {
        removed.add(call.id);
        continue;
      }
      output = call.input.f === 'cas' ? { kind: 'cas', ok: false } : { kind: 'unknown' };
    } else throw new Error(`${history.name}: unknown type ${line.type}`);
    events.push({ kind: 'return', clientId: line.process, id: call.id, output });
  }
  const kept = events.filter((e) => !removed.has(e.id));
  return operationsFromEvents(kept, { kind: 'unknown' });
}
