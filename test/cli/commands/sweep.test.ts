import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeCommand, sweepCommand, type RunnerResolver, type SweepCommandOptions, type SweepIo } from '../../../src/cli/commands/sweep';
import { LEASE } from '../../sweep/helpers';

const dir = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fake: RunnerResolver = () => ({ moduleUrl: new URL('../../sweep/fake-runner.ts', import.meta.url).href, exportName: 'createFakeRunner', config: { violationSeeds: [7] } });

function captureIo(): SweepIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    progress: null,
    out: () => out,
    err: () => err,
  };
}

const options = (extra: Partial<SweepCommandOptions>): SweepCommandOptions => ({ set: [`${LEASE}=15s,30s`], seeds: '24', firstSeed: '1', workers: '1', output: 'json', ...extra });

async function sweep(extra: Partial<SweepCommandOptions>) {
  const io = captureIo();
  const code = await sweepCommand('scenarios/fake.yaml', options(extra), io, fake);
  return { code, out: io.out(), err: io.err() };
}

describe('sweep command', () => {
  it('is byte-identical with 1 and 2 workers, and with 3 shards merged', async () => {
    const one = await sweep({ workers: '1' });
    const two = await sweep({ workers: '2' });
    expect(one.code).toBe(0);
    expect(two.out).toBe(one.out);
    const files: string[] = [];
    for (const index of [2, 0, 1]) {
      const file = join(dir, `shard-${index}.json`);
      const shard = await sweep({ shard: `${index}/3`, out: file, workers: '1' });
      expect(shard).toEqual({ code: 0, out: '', err: '' });
      files.push(file);
    }
    const io = captureIo();
    expect(await mergeCommand(files, { output: 'json' }, io)).toBe(0);
    expect(io.out()).toBe(one.out);
    // And the other formats of the merged result equal the single run's.
    for (const output of ['table', 'csv'] as const) {
      const single = await sweep({ output });
      const merged = captureIo();
      await mergeCommand(files, { output }, merged);
      expect(merged.out()).toBe(single.out);
    }
  });

  it('baseline gating: the same set passes (exit 0), a worse set fails (exit 1) and says what regressed', async () => {
    const baseline = join(dir, 'baseline.json');
    expect((await sweep({ out: baseline })).code).toBe(0);
    const same = await sweep({ baseline, tolerance: '5%', output: 'table' });
    expect(same.code).toBe(0);
    expect(same.err).toMatch(/^baseline: no regression beyond 5%/);
    const worse = await sweep({ set: [`${LEASE}=20s,30s`], baseline, tolerance: '5%', output: 'table' });
    expect(worse.code).toBe(1);
    expect(worse.err).toContain(`  ${LEASE}=20s (baseline: ${LEASE}=15s)`);
    expect(worse.err).toMatch(/fail-over kube-scheduler p50: /);
    expect(worse.err).not.toContain(`${LEASE}=30s (baseline`);
  });

  it('writes html with the charts, and table to stdout', async () => {
    const html = join(dir, 'report.html');
    expect((await sweep({ output: 'html', out: html })).code).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(text).toContain('Chart.js v4');
    const table = await sweep({ output: 'table' });
    expect(table.out).toContain(`${LEASE}=30s  (24 runs, 1 with violations, 0 failed)`);
  });

  it('bad input: exit 2 with a clear message, no stack trace', async () => {
    const cases: Array<[Partial<SweepCommandOptions>, RegExp]> = [
      [{ set: ['kube-scheduler.--leader-elect-lease-durration=15s'] }, /unknown key \(did you mean kube-scheduler.--leader-elect-lease-duration\?\)\nvalid keys for this scenario:\n {2}kube-scheduler/],
      [{ set: [`${LEASE}=15s,soon`] }, /--set kube-scheduler.--leader-elect-lease-duration=soon: invalid duration "soon"/],
      [{ seeds: 'many' }, /--seeds "many": expected a whole number/],
      [{ workers: '0' }, /--workers 0: must be at least 1/],
      [{ output: 'pdf' }, /--output "pdf": expected one of table, json, csv, html/],
      [{ shard: '3/3' }, /--shard 3\/3: I must be below N/],
      [{ shard: '0/2', output: 'table' }, /--shard writes the shard's raw runs as json/],
      [{ tolerance: '5%' }, /--tolerance applies only with --baseline/],
      [{ baseline: join(dir, 'nope.json') }, /cannot read baseline .*nope.json: no such file/],
    ];
    for (const [extra, message] of cases) {
      const result = await sweep(extra);
      expect(result.code, JSON.stringify(extra)).toBe(2);
      expect(result.err).toMatch(/^kube-ha-sim sweep: /);
      expect(result.err).toMatch(message);
      expect(result.err).not.toMatch(/\n\s+at /);
    }
  });

  it('a malformed or missing scenario file: exit 2 with its file:line:col diagnostic', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: kube-ha-sim/v1\nkind: Scenario\nmetadata:\n  name: bad\nspec:\n  duraton: 10s\n');
    const io = captureIo();
    expect(await sweepCommand(bad, options({ set: [] }), io)).toBe(2);
    expect(io.err()).toBe(`${bad}:6:3: spec.duraton: unknown field "duraton" (did you mean "duration"?)\n`);
    const io2 = captureIo();
    expect(await sweepCommand(join(dir, 'absent.yaml'), options({ set: [] }), io2)).toBe(2);
    expect(io2.err()).toMatch(/^kube-ha-sim sweep: cannot read scenario .*absent.yaml: no such file\n$/);
  });

  it('merge: bad input is exit 2', async () => {
    const io = captureIo();
    expect(await mergeCommand([join(dir, 'shard-0.json')], { output: 'json' }, io)).toBe(2);
    expect(io.err()).toMatch(/merge: missing shards 1\/3, 2\/3 \(got 1 of 3\)/);
    const io2 = captureIo();
    expect(await mergeCommand([join(dir, 'missing.json')], { output: 'json' }, io2)).toBe(2);
    expect(io2.err()).toMatch(/cannot read shard .*missing.json: no such file/);
  });
});
