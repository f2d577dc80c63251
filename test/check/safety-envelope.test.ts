// docs/safety-envelope.md shows its counterexamples as scenario files: each must still do what the page says (the
// `violation` / `no-violation` expectation in it), so the page cannot drift from the code.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run/runner';
import { parseScenario } from '../../src/scenario/parse';

const page = readFileSync(fileURLToPath(new URL('../../docs/safety-envelope.md', import.meta.url)), 'utf8');
const blocks = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('docs/safety-envelope.md', () => {
  it('has its scenario files', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  for (const text of blocks) {
    const scenario = parseScenario(text, 'docs/safety-envelope.md');
    it(`${scenario.name}: ${scenario.description}`, () => {
      expect(scenario.expectations.length).toBeGreaterThan(0);
      const result = runScenario(scenario, { record: false });
      const failed = result.expectations.filter((e) => !e.passed).map((e) => `${e.description}: ${e.detail}`);
      expect(failed).toEqual([]);
      expect(result.outcome).toBe('pass');
    });
  }
});
