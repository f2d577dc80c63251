// docs/scenario-reference.md stays true to the code: every flag (with its default), fault action, expectation type
// and metric the schema accepts is documented, and every documented example in README.md validates.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPONENT_FLAGS, COMPONENT_NAMES } from '../../src/scenario/flags';
import { EXPECTATION_TYPES, FAULT_ACTIONS } from '../../src/scenario/schema';
import { METRIC_PATTERNS } from '../../src/scenario/types';
import { validateScenarioData } from '../../src/scenario/parse';
import { ROOT } from '../cli/helpers';

const reference = readFileSync(`${ROOT}docs/scenario-reference.md`, 'utf8');

describe('docs/scenario-reference.md', () => {
  it('documents every component flag with its default', () => {
    for (const c of COMPONENT_NAMES) {
      expect(reference).toContain(`### \`${c}\``);
      for (const f of COMPONENT_FLAGS[c]) expect(reference).toContain(`| \`${f.name}\` | \`${String(f.default)}\` |`);
    }
  });

  it('documents every fault action, expectation type and metric', () => {
    for (const a of FAULT_ACTIONS) expect(reference).toContain(`| \`${a}\` |`);
    for (const t of EXPECTATION_TYPES) expect(reference).toContain(`| \`${t}\` |`);
    for (const m of METRIC_PATTERNS) expect(reference).toContain(`| \`${m.pattern}\` |`);
  });
});

describe('README.md', () => {
  it('its scenario example validates', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const scenario = validateScenarioData(parse(block), 'README.md', null);
    expect(scenario.name).toBe('failover-15s');
    expect(scenario.faults).toHaveLength(2);
  });
});
