// The README's sample timeline is an excerpt of what `npm start` prints: every line of it (up to a trailing " ...",
// where the README cuts a long line) must appear in the real output, in the same order.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('README', () => {
  it('shows a sample timeline that npm start really prints', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('```\nkube-ha-sim run failover-15s');
    expect(start).toBeGreaterThan(0);
    const sample = readme.slice(start + 4, readme.indexOf('```', start + 4)).split('\n').filter((l) => l.trim() !== '');
    const output = execFileSync(process.execPath, ['bin/kube-ha-sim.js', 'run', 'scenarios/failover-15s.yaml'], { encoding: 'utf8' }).split('\n');
    let at = 0;
    for (const line of sample) {
      const prefix = line.endsWith(' ...') ? line.slice(0, -4) : line;
      const found = output.findIndex((o, i) => i >= at && (line.endsWith(' ...') ? o.startsWith(prefix) : o === prefix));
      expect(found, `README line not in npm start's output (in order): ${line}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });
});
