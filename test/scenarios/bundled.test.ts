// Every bundled scenario (scenarios/*.yaml) runs and meets its expectations, and the same scenario and seed give
// byte-identical output in every format (timeline, json, ndjson, perfetto): each is run twice, all formats at once,
// and the outputs compared (NDJSON by a streaming SHA-256: it can be hundreds of megabytes).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledScenarioFiles, loadScenarioFile } from '../../src/cli/load';
import { OUTPUT_FORMATS, runWithOutputs } from '../../src/report/outputs';

const files = bundledScenarioFiles();

function renderAll(file: string): { outcome: string; failed: string[]; digests: Record<string, string> } {
  const scenario = loadScenarioFile(file);
  const ndjson = createHash('sha256');
  const { result, outputs } = runWithOutputs(scenario, {}, OUTPUT_FORMATS, { ndjsonLine: (line) => ndjson.update(line) });
  const digests: Record<string, string> = { ndjson: ndjson.digest('hex') };
  for (const [format, text] of Object.entries(outputs)) digests[format] = createHash('sha256').update(text!).digest('hex');
  return {
    outcome: result.outcome,
    failed: [
      ...result.expectations.filter((e) => !e.passed).map((e) => `${e.description}: ${e.detail}`),
      ...(result.outcome === 'fail' ? result.violations.map((v) => v.message) : []),
    ],
    digests,
  };
}

describe('bundled scenarios', () => {
  it('include the library the project promises', () => {
    const names = files.map((f) => f.split('/').pop()!.replace(/\.yaml$/, ''));
    for (const name of [
      'failover-15s',
      'graceful-stop-scheduler',
      'etcd-leader-crash',
      'etcd-quorum-loss',
      'etcd-leader-partition',
      'apiserver-crash-lb',
      'kubelet-stop-control-plane',
      'stacked-etcd-host-failure',
      'external-etcd-host-failure',
      'lb-failure-single',
      'lb-failure-vip',
      'clock-jump-split-brain',
      'slow-etcd-crash-loop',
      'http2-pinning',
    ]) {
      expect(names).toContain(name);
    }
  });

  for (const file of files) {
    const name = file.split('/').pop()!;
    it(`${name}: a comment header saying what it teaches, a one-line description, its name as file name`, () => {
      const text = readFileSync(file, 'utf8');
      const header = text.split('\n').filter((l) => l.startsWith('#'));
      expect(header[0]).toMatch(new RegExp(`^# ${name.replace('.yaml', '')} — `));
      expect(header.length).toBeGreaterThanOrEqual(4);
      const s = loadScenarioFile(file);
      expect(s.name).toBe(name.replace('.yaml', ''));
      expect(s.description.length).toBeGreaterThan(20);
      expect(s.expectations.length).toBeGreaterThan(0);
    });

    it(`${name}: meets its expectations; byte-identical output in every format across two runs`, () => {
      const a = renderAll(file);
      expect(a.failed, `${name} failed: ${a.failed.join('; ')}`).toEqual([]);
      expect(a.outcome).toBe('pass');
      const b = renderAll(file);
      for (const format of OUTPUT_FORMATS) expect(b.digests[format], `${name} ${format}`).toBe(a.digests[format]);
    });
  }
});
