// The perfetto output is valid Chrome trace-event JSON (what ui.perfetto.dev and chrome://tracing load): checked
// against a schema of the format, plus the rules a viewer relies on (every B has its E on the same track, in order;
// instants carry a scope; metadata names every process and thread), and the content users look for (leadership
// slices of the lease holders and of the etcd leader, the faults as global instants).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadScenarioFile } from '../../src/cli/load';
import { runWithOutputs } from '../../src/report/outputs';
import { ROOT } from '../cli/helpers';

const base = { name: z.string(), pid: z.number().int().min(0), cat: z.string().optional(), args: z.record(z.string(), z.unknown()).optional() };
const event = z.discriminatedUnion('ph', [
  z.strictObject({ ...base, ph: z.literal('B'), ts: z.number().min(0), tid: z.number().int().min(0) }),
  z.strictObject({ ...base, ph: z.literal('E'), ts: z.number().min(0), tid: z.number().int().min(0) }),
  z.strictObject({ ...base, ph: z.literal('X'), ts: z.number().min(0), dur: z.number().min(0), tid: z.number().int().min(0) }),
  z.strictObject({ ...base, ph: z.literal('i'), ts: z.number().min(0), tid: z.number().int().min(0).optional(), s: z.enum(['g', 'p', 't']) }),
  z.strictObject({ ...base, ph: z.literal('C'), ts: z.number().min(0), args: z.record(z.string(), z.number()) }),
  z.strictObject({ ...base, ph: z.literal('M'), name: z.enum(['process_name', 'thread_name']), tid: z.number().int().min(0).optional(), args: z.strictObject({ name: z.string().min(1) }) }),
]);
const traceDocument = z.strictObject({ traceEvents: z.array(event).min(1), displayTimeUnit: z.enum(['ms', 'ns']) });

function perfettoOf(file: string): z.infer<typeof traceDocument> {
  const scenario = loadScenarioFile(`${ROOT}scenarios/${file}`);
  const text = runWithOutputs(scenario, {}, ['perfetto']).outputs.perfetto!;
  return traceDocument.parse(JSON.parse(text));
}

describe('perfetto output', () => {
  const doc = perfettoOf('failover-15s.yaml');

  it('is trace-event JSON: B/E balanced and ordered per track, instants scoped, tracks named', () => {
    const open = new Map<string, number[]>();
    for (const e of doc.traceEvents) {
      if (e.ph !== 'B' && e.ph !== 'E') continue;
      const key = `${e.pid}/${e.tid}`;
      const stack = open.get(key) ?? [];
      if (e.ph === 'B') stack.push(e.ts);
      else {
        expect(stack.length, `E without B on ${key} at ${e.ts}`).toBeGreaterThan(0);
        expect(e.ts).toBeGreaterThanOrEqual(stack.pop()!);
      }
      open.set(key, stack);
    }
    for (const [key, stack] of open) expect(stack, `unclosed slice on ${key}`).toEqual([]);
    const processes = new Set(doc.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.pid));
    const threads = new Set(doc.traceEvents.flatMap((e) => (e.ph === 'M' && e.name === 'thread_name' ? [`${e.pid}/${e.tid}`] : [])));
    for (const e of doc.traceEvents) {
      if (e.ph === 'M') continue;
      expect(processes.has(e.pid), `pid ${e.pid} has a process_name`).toBe(true);
      if ('tid' in e && e.tid !== undefined) expect(threads.has(`${e.pid}/${e.tid}`), `${e.pid}/${e.tid} has a thread_name`).toBe(true);
    }
  });

  it('shows the hosts, leadership as slices and the crash as a global instant', () => {
    const names = new Map(doc.traceEvents.flatMap((e) => (e.ph === 'M' && e.name === 'process_name' ? [[e.pid, String(e.args.name)] as const] : [])));
    expect([...names.values()]).toEqual(expect.arrayContaining(['cluster', 'server-0', 'server-1', 'server-2', 'lb', 'worker-0', 'client']));
    const leading = doc.traceEvents.filter((e) => e.ph === 'B' && e.name === 'leading kube-system/kube-scheduler');
    expect(leading.map((e) => names.get(e.pid))).toEqual(['server-0', expect.stringMatching(/^server-[12]$/)]);
    expect(doc.traceEvents.some((e) => e.ph === 'B' && /^leader term \d+$/.test(e.name))).toBe(true);
    const crash = doc.traceEvents.find((e) => e.ph === 'i' && e.name === 'fault: crash server-0');
    expect(crash).toMatchObject({ s: 'g', ts: 20_000_000 });
  });
});
