// Every malformed scenario in test/fixtures/malformed gets its clear error through the CLI: file:line:col, the field,
// what was expected; exit status 2; no stack trace. Each fixture states its expected first diagnostic on line 1:
//   # expect: LINE:COL: FIELD: MESSAGE-PREFIX
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, cliProcess, hasStackTrace, ROOT } from './helpers';

const DIR = 'test/fixtures/malformed';
const files = readdirSync(`${ROOT}${DIR}`).filter((f) => f.endsWith('.yaml')).sort();

describe('malformed scenarios', () => {
  it('has a corpus of at least 25 files', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  for (const name of files) {
    it(`${name}: clear error, exit 2`, async () => {
      const path = `${DIR}/${name}`;
      const first = readFileSync(`${ROOT}${path}`, 'utf8').split('\n')[0]!;
      const m = /^# expect: (\d+):(\d+): (.*)$/.exec(first);
      expect(m, `${name} must start with "# expect: LINE:COL: ..."`).not.toBeNull();
      const r = await cli('validate', `${ROOT}${path}`);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const diagnostics = r.stderr.trimEnd().split('\n');
      expect(diagnostics[0]!.startsWith(`${ROOT}${path}:${m![1]}:${m![2]}: ${m![3]}`)).toBe(true);
      // every line is a diagnostic of this file
      for (const line of diagnostics) expect(line).toMatch(new RegExp(`^${ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${DIR}/${name.replace('.', '\\.')}:\\d+:\\d+: `));
      expect(hasStackTrace(r.stderr)).toBe(false);
    });
  }

  it('run (as a real process) reports the same error, exit 2, no stack trace', () => {
    const r = cliProcess('run', `${DIR}/12-fault-action-typo.yaml`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${DIR}/12-fault-action-typo.yaml:9:15: spec.faults[0].action: expected one of crash,`);
    expect(r.stderr).toContain('(did you mean "crash"?)');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).toBe('');
  });

  it('validate lists every problem of a file, in line order', async () => {
    const r = await cli('validate', `${ROOT}${DIR}/15-fault-unknown-host.yaml`, `${ROOT}${DIR}/16-fault-unknown-process.yaml`);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(2);
  });
});
