import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, hasStackTrace } from '../helpers';

const dir = mkdtempSync(join(tmpdir(), 'kube-ha-sim-check-'));

describe('kube-ha-sim check', () => {
  it('prints the number of runs, the faults injected and the time taken, and exits 0 when nothing breaks', async () => {
    const r = await cli('check', '--runs', '4', '--faults', 'crash', '--until', '20s', '--liveness', '20s', '--seed', '5', '--workers', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kube-ha-sim check: no violation in 4 runs');
    expect(r.stdout).toContain('faults: crash; at most 4 per run; 20s with faults, then up to 20s to converge; seed 5');
    expect(r.stdout).toMatch(/^runs: 4, faults injected: \d+, time: \d+\.\ds on 2 workers \(/m);
  });

  it('finds a lease split brain under pauses (exit 1), writes a counterexample that `kube-ha-sim run` reproduces', async () => {
    const out = join(dir, 'pause.yaml');
    const r = await cli('check', '--runs', '40', '--faults', 'pause', '--workload', 'none', '--liveness', '30s', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^kube-ha-sim check: SAFETY VIOLATION found at run \d+ of 40 \(seed 1, path \d+\)$/m);
    expect(r.stdout).toContain('lease-exclusivity violated at t=');
    expect(r.stdout).toMatch(/shrunk in \d+ runs to [123] faults?:/);
    expect(r.stdout).toContain(`replay: kube-ha-sim run ${out}`);
    expect(r.stdout).toMatch(/replay the search: kube-ha-sim check --seed 1 --path \d+ --faults pause --max-faults 4 --until 1m0s --liveness 30s --workload none/);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# Counterexample found by: kube-ha-sim check --seed 1 --path \d+/);
    const replay = await cli('run', out, '--output', 'json');
    expect(replay.code).toBe(0); // the file expects the violation, so reproducing it passes
    const result = JSON.parse(replay.stdout) as { violations: Array<{ invariant: string }>; expectations: Array<{ passed: boolean }> };
    expect(result.violations.map((v) => v.invariant)).toEqual(['lease-exclusivity']);
    expect(result.expectations.every((e) => e.passed)).toBe(true);
    // and `check --replay` runs the file with every checker on
    const again = await cli('check', '--replay', out, '--workload', 'none');
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`kube-ha-sim check --replay ${out}: seed `);
    expect(again.stdout).toContain('lease-exclusivity violated at t=');
  });

  it('reports in json', async () => {
    const r = await cli('check', '--runs', '2', '--faults', 'loss', '--until', '10s', '--liveness', '20s', '--output', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { runs: number; faultsInjected: number; failure: unknown; settings: { classes: string[] }; workers: number };
    expect(report.runs).toBe(2);
    expect(report.failure).toBeNull();
    expect(report.settings.classes).toEqual(['loss']);
    expect(report.workers).toBe(1); // the default: no more workers than one per 8 runs
    // threads actually used: never more than the runs, and one for a replayed path
    const two = JSON.parse((await cli('check', '--runs', '2', '--faults', 'loss', '--until', '10s', '--liveness', '20s', '--output', 'json', '--workers', '4')).stdout) as { workers: number; runs: number };
    expect(two).toMatchObject({ workers: 2, runs: 2 });
    const replay = JSON.parse((await cli('check', '--path', '1', '--faults', 'loss', '--until', '10s', '--liveness', '20s', '--output', 'json', '--workers', '2')).stdout) as { workers: number; runs: number };
    expect(replay.workers).toBe(1);
  });

  it('rejects bad input with exit 2 and a clear message, never a stack trace', async () => {
    for (const [args, message] of [
      [['--faults', 'crash,paus'], '--faults: unknown fault class "paus" (did you mean "pause"?)'],
      [['--runs', '0'], '--runs 0: must be at least 1'],
      [['--until', '15'], '--until "15": expected a duration like 60s or 2m'],
      [['--workload', 'sql'], '--workload "sql": expected kv or none'],
      [['--path', 'abc'], '--path "abc": expected the path a failure printed'],
      [['no-such-file.yaml'], 'cannot read scenario no-such-file.yaml: no such file'],
      [['--workers', '0'], '--workers 0: must be at least 1'],
      [['--workers', '999'], '--workers 999: must be at most 256'],
    ] as const) {
      const r = await cli('check', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
  });

  it('prints the same report whatever --workers (only the time taken differs)', async () => {
    const args = ['check', '--runs', '12', '--faults', 'pause', '--workload', 'none', '--liveness', '30s', '--shrink-runs', '10'];
    const outputs = [];
    for (const workers of ['1', '2']) {
      const out = join(dir, `workers-${workers}.yaml`);
      const r = await cli(...args, '--workers', workers, '--out', out);
      expect(r.code).toBe(1);
      outputs.push({ stdout: r.stdout.replaceAll(out, 'OUT').replace(/time: .*$/m, 'time: T'), file: readFileSync(out, 'utf8') });
    }
    expect(outputs[0]!.stdout).toMatch(/SAFETY VIOLATION found at run \d+ of 12/);
    expect(outputs[1]).toEqual(outputs[0]);
  });

  it('documents its exit statuses and fault classes in --help', async () => {
    const r = await cli('check', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit status: 0 no violation in any run; 1 safety violation; 2 bad input; 3 internal error');
    expect(r.stdout).toContain('4 liveness failure');
    expect(r.stdout).toContain('clock-drift');
  });
});
