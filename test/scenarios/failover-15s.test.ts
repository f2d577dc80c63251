// Acceptance of the default scenario: `npm start` prints the fail-over timeline in which server-0's scheduler leads
// from the start, renews, crashes at t=20s, and another host's scheduler leads from between t=33s and t=45s.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers';

describe('npm start (scenarios/failover-15s.yaml)', () => {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
  const argv = pkg.scripts.start!.split(' ');

  it('runs the 15-second fail-over scenario', () => {
    expect(argv.slice(0, 2)).toEqual(['node', 'bin/kube-ha-sim.js']);
    expect(argv.slice(2)).toEqual(['run', 'scenarios/failover-15s.yaml']);
  });

  it("prints server-0's scheduler leading from the start and renewing, the crash at t=20s, another host leading from t=33-45s", () => {
    const r = spawnSync(process.execPath, argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const at = (line: string): number => Number(/^t=(\d+\.\d+)s/.exec(line)![1]);
    const starts = lines.filter((l) => /^t=\S+\s+\S+ kube-scheduler starts acting as leader of kube-system\/kube-scheduler/.test(l));
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts[0]).toMatch(/^t=\S+\s+server-0 kube-scheduler starts acting/);
    expect(at(starts[0]!)).toBeLessThan(2);
    const renewals = lines.find((l) => /server-0 kube-scheduler renews lease kube-scheduler x(\d+), every ~2\.\ds until t=(1\d\.\d+)s/.test(l));
    expect(renewals, 'a folded line of the leader renewing every ~2 s').toBeDefined();
    const crash = lines.findIndex((l) => /^t=20\.000s\s+server-0 crash/.test(l));
    expect(crash).toBeGreaterThan(0);
    const next = starts[1]!;
    expect(next).not.toMatch(/server-0 kube-scheduler/);
    expect(at(next)).toBeGreaterThanOrEqual(33);
    expect(at(next)).toBeLessThanOrEqual(45);
    // and it ends with the summary and the notes on where reality differs from the guide
    expect(r.stdout).toContain('Summary (');
    expect(r.stdout).toContain("Where the real behaviour differs from the guide's simplified timeline:");
    expect(r.stdout).toMatch(/Result: PASS \(seed 1\)\nReplay: kube-ha-sim run scenarios\/failover-15s\.yaml --seed 1\n$/);
  });
});
