import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliProcess, hasStackTrace, ROOT } from './helpers';

const tmp = mkdtempSync(join(tmpdir(), 'kube-ha-sim-cli-'));
const failing = join(tmp, 'failing.yaml');
writeFileSync(
  failing,
  `apiVersion: kube-ha-sim/v1
kind: Scenario
metadata:
  name: failing
spec:
  duration: 10s
  expectations:
    - {type: no-etcd-leader, from: 0s, to: 10s}
`,
);

describe('kube-ha-sim CLI', () => {
  it('--help lists every command, with examples', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const command of ['run', 'validate', 'list', 'sweep', 'merge', 'check']) expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(r.stdout).toContain('Examples:');
  });

  for (const command of ['run', 'validate', 'list']) {
    it(`${command} --help has examples`, async () => {
      const r = await cli(command, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain(`kube-ha-sim ${command}`);
    });
  }

  it('list shows every bundled scenario with its description', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME +DESCRIPTION$/m);
    expect(r.stdout).toMatch(/^failover-15s +server-0 \(leading kube-scheduler\) crashes at t=20s/m);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(16);
  });

  it('validate accepts the bundled scenarios', async () => {
    const r = await cli('validate', `${ROOT}scenarios/failover-15s.yaml`, `${ROOT}scenarios/lb-failure-vip.yaml`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('failover-15s.yaml: ok (failover-15s: ');
  });

  it('run exits 1 when an expectation fails, printing the seed and the replay command', async () => {
    const r = await cli('run', failing, '--seed', '3', '--output', 'json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'fail', seed: '3' });
    expect(r.stderr).toContain('expectation failed: etcd has no leader from t=0.000s to t=10.000s');
    expect(r.stderr).toContain('  seed: 3\n');
    expect(r.stderr).toContain(`  replay: kube-ha-sim run ${failing} --seed 3\n`);
  });

  it('run --out writes the output to a file; --until and --set take effect and appear in the replay command', async () => {
    const out = join(tmp, 'run.json');
    const r = await cli('run', `${ROOT}scenarios/failover-15s.yaml`, '--output', 'json', '--out', out, '--until', '25s', '--set', 'kube-scheduler.--leader-elect-lease-duration=20s');
    expect(r.code).toBe(1); // the fail-over is not over by 25s
    expect(r.stdout).toBe('');
    const json = JSON.parse(readFileSync(out, 'utf8')) as { durationMs: number; replay: string };
    expect(json.durationMs).toBe(25_000);
    expect(json.replay).toBe(`kube-ha-sim run ${ROOT}scenarios/failover-15s.yaml --seed 1 --until 25s --set kube-scheduler.--leader-elect-lease-duration=20s`);
  });

  it('bad command-line input: clear message, exit 2, no stack trace', async () => {
    for (const argv of [
      ['run', `${ROOT}scenarios/failover-15s.yaml`, '--output', 'xml'],
      ['run', `${ROOT}scenarios/failover-15s.yaml`, '--until', 'soon'],
      ['run', `${ROOT}scenarios/failover-15s.yaml`, '--set', 'kube-scheduler.--leader-elect-lease-duraton=20s'],
      ['run', join(tmp, 'missing.yaml')],
      ['run', `${ROOT}scenarios/failover-15s.yaml`, '--bogus'],
      ['run'],
      ['frobnicate'],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.length, argv.join(' ')).toBeGreaterThan(0);
      expect(hasStackTrace(r.stderr), argv.join(' ')).toBe(false);
    }
    expect((await cli('run', `${ROOT}scenarios/failover-15s.yaml`, '--output', 'xml')).stderr).toBe('kube-ha-sim run: --output "xml": expected one of timeline, json, ndjson, perfetto\n');
    expect((await cli('run', join(tmp, 'missing.yaml'))).stderr).toBe(`kube-ha-sim run: cannot read scenario ${join(tmp, 'missing.yaml')}: no such file\n`);
  });

  it('the real command: exit statuses and no stack trace through bin/kube-ha-sim.js', () => {
    const failed = cliProcess('run', failing);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('Result: FAIL (seed 1)');
    const bad = cliProcess('run', 'scenarios/failover-15s.yaml', '--until', 'soon');
    expect(bad.code).toBe(2);
    expect(hasStackTrace(bad.stderr)).toBe(false);
  });
});

describe('internal errors', () => {
  it('print the message, the seed and the replay command, exit 3, no stack trace', async () => {
    const { reportError } = await import('../../src/cli/errors');
    const { RunError } = await import('../../src/run/runner');
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, progress: null };
    const code = reportError('run', new RunError(new TypeError('boom'), '42', 'kube-ha-sim run x.yaml --seed 42', 12_345_678), io);
    expect(code).toBe(3);
    expect(stderr).toBe(
      'kube-ha-sim run: internal error at t=12.346s: boom\n  seed: 42\n  replay: kube-ha-sim run x.yaml --seed 42\nThis is a bug in kube-ha-sim: please report it with the replay command above.\n',
    );
    expect(hasStackTrace(stderr)).toBe(false);
  });
});
